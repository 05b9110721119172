/**
 * Admission with request signatures on, against the same with them off, in one run and one process.
 * One embedded network (3 masters, 2 enterprise nodes, in-memory PGlite) with a registered, funded,
 * granted submitter; two HTTP edges over the same coordinating master: one verifying RFC 9421
 * signatures (Ed25519, nonce cache, token bucket, role and caller checks), one with authentication
 * off. Rounds alternate between the two (on, off, on, off...) so load drift on a shared machine
 * hits both alike. Requests are signed before each timed round (the client's cost is not the
 * server's), and sent through `inject` with bounded concurrency.
 *
 *   a. POST /v1/tasks: full admission, each request a new task appended to the protocol log.
 *   b. GET /v1/network: a read, so the signature check is most of the difference.
 *
 *   npx tsx bench/admission.bench.ts [--tasks 200] [--reads 2000] [--rounds 3] [--concurrency 16]
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { MemoryKeyring } from '../packages/node/src/adapters/memory-keyring.ts';
import { createHttpServer } from '../packages/node/src/application/http-server.ts';
import { openEmbeddedNetwork } from '../packages/node/src/roles/embedded-network.ts';
import { openTestPglite } from '../packages/node/test/support/pglite.ts';
import { actorKey, signedHeaders } from '../packages/node/test/support/signed-requests.ts';
import { argValue, machine, median } from './bench-util.ts';

const tasksPerRound = Number(argValue('--tasks') ?? 200);
const readsPerRound = Number(argValue('--reads') ?? 2000);
const rounds = Number(argValue('--rounds') ?? 3);
const concurrency = Number(argValue('--concurrency') ?? 16);

const submitter = actorKey('act_bench-brand');
let counter = 0;
const taskBody = () =>
  JSON.stringify({
    class: 'compute',
    submitter: submitter.keyid,
    consent_scope: 'analytics',
    targets: { vault_ids: [['vlt_lioncity-app', 'vlt_lioncity-loyalty', 'vlt_straits-wallet'][counter++ % 3]] },
    semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['category', 'total_amount'] },
    budget: { max_fee: '5000' },
    spec: {
      kind: 'compute',
      program: { type: 'builtin', operator: 'sum', attribute: 'total_amount' },
      filter: [{ attribute: 'category', op: 'eq', value: 'coffee' }],
    },
  });

type Req = { method: 'GET' | 'POST'; url: string; payload?: string; headers: Record<string, string> };

function prepare(kind: 'admit' | 'read', n: number, signed: boolean): Req[] {
  return Array.from({ length: n }, () => {
    const body = kind === 'admit' ? taskBody() : undefined;
    const method = kind === 'admit' ? 'POST' : 'GET';
    const url = kind === 'admit' ? '/v1/tasks' : '/v1/network';
    const headers: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
    if (signed) Object.assign(headers, signedHeaders(submitter, method, url, body));
    return { method, url, headers, ...(body ? { payload: body } : {}) };
  });
}

async function timed(app: FastifyInstance, requests: Req[], expect: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        const r = requests[next++]!;
        const res = await app.inject(r);
        if (res.statusCode !== expect) throw new Error(`${r.method} ${r.url}: ${res.statusCode} ${res.body}`);
      }
    }),
  );
  return requests.length / ((performance.now() - start) / 1000);
}

const store = await openTestPglite();
const net = await openEmbeddedNetwork({
  store,
  keyring: new MemoryKeyring(),
  openTaskQuota: 1_000_000_000,
  actors: [
    {
      actor_id: submitter.keyid,
      roles: ['task_submitter'],
      public_key: submitter.publicKeyHex,
      balance: '1000000000000000',
      grants: 'all',
    },
  ],
});
const unlimited = { capacity: 1e9, refillPerSecond: 1e9 };
const on = await createHttpServer(net.coordinator.service, { authentication: { rateLimit: unlimited } });
const off = await createHttpServer(net.coordinator.service, { authentication: false });

const load = [loadavg()[0]!.toFixed(2)];
const results = {
  admit: { on: [] as number[], off: [] as number[] },
  read: { on: [] as number[], off: [] as number[] },
};
// Warm-up: both paths once.
await timed(on, prepare('read', 200, true), 200);
await timed(off, prepare('read', 200, false), 200);
for (let round = 0; round < rounds; round++) {
  for (const mode of round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
    const app = mode === 'on' ? on : off;
    results.admit[mode].push(await timed(app, prepare('admit', tasksPerRound, mode === 'on'), 201));
    results.read[mode].push(await timed(app, prepare('read', readsPerRound, mode === 'on'), 200));
  }
}
load.push(loadavg()[0]!.toFixed(2));

const row = (name: string, r: { on: number[]; off: number[] }) => {
  const a = median(r.on);
  const b = median(r.off);
  return `| ${name} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${(a / b).toFixed(3)} | ${r.on.map((x) => x.toFixed(0)).join(', ')} / ${r.off.map((x) => x.toFixed(0)).join(', ')} |`;
};
console.log(`machine: ${machine()}; load average ${load.join(' -> ')}; ${rounds} rounds, concurrency ${concurrency}`);
console.log(
  '| requests | signed (req/s, median) | unsigned (req/s, median) | signed / unsigned | every round (signed / unsigned) |',
);
console.log('| --- | ---: | ---: | ---: | --- |');
console.log(row(`POST /v1/tasks (${tasksPerRound}/round)`, results.admit));
console.log(row(`GET /v1/network (${readsPerRound}/round)`, results.read));

await on.close();
await off.close();
await net.close();
await store.close();
