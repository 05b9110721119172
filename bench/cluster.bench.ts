/**
 * Cluster throughput beside the embedded network, on one seeded workload in one run:
 *
 *   - embedded: the whole network in this process (PGlite, in-memory bus), 2 enterprise nodes;
 *   - cluster with 1, 2 and 4 enterprise nodes: every node its own process, a PostgreSQL database
 *     each, the log in a JetStream stream, messages on NATS (DATABASE_URL, NATS_URL).
 *
 * Each network gets one Vault per enterprise node (`vlt_ent-<i>`), the same seeded records and
 * consent per Vault, then the same N histogram tasks spread round-robin over the Vaults, submitted
 * over HTTP with bounded concurrency. Throughput is N / (first submission -> every task
 * `awaiting_settlement`); then the epoch is closed and the time to finality measured.
 *
 *   DATABASE_URL=... NATS_URL=... npx tsx bench/cluster.bench.ts [--tasks 24] [--concurrency 8]
 *     [--nodes 1,2,4] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryKeyring } from '../packages/node/src/adapters/memory-keyring.ts';
import { createHttpServer } from '../packages/node/src/application/http-server.ts';
import { openEmbeddedNetwork } from '../packages/node/src/roles/embedded-network.ts';
import { LocalCluster, topologyWithEnterprises } from '../packages/node/src/roles/local-cluster.ts';
import {
  closeAndFinalize,
  seeded,
  seedVaults,
  submitTask,
  VERIFIED_OR_DONE,
  WorkloadClient,
  waitForStates,
  workloadActors,
  workloadTask,
} from '../packages/node/test/support/cluster-workload.ts';
import { openTestPglite } from '../packages/node/test/support/pglite.ts';
import { argValue, machine } from './bench-util.ts';

const tasks = Number(argValue('--tasks') ?? 24);
const concurrency = Number(argValue('--concurrency') ?? 8);
const nodeCounts = (argValue('--nodes') ?? '1,2,4').split(',').map(Number);
const databaseUrl = process.env.DATABASE_URL;
const natsUrl = process.env.NATS_URL;
if (!databaseUrl || !natsUrl) {
  console.error('set DATABASE_URL and NATS_URL');
  process.exit(2);
}

type Row = {
  network: string;
  enterprise_nodes: number;
  tasks: number;
  seconds: number;
  tasks_per_s: number;
  finality_s: number;
  start_s: number;
  load: string;
};

const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

/** Seeds the Vaults, runs the workload and the epoch close against `base`. */
async function workload(base: string, vaults: string[]) {
  const client = new WorkloadClient(base);
  const rand = seeded(7);
  await seedVaults(client, vaults, rand);
  const specs = Array.from({ length: tasks }, (_, i) => workloadTask([vaults[i % vaults.length]!], rand));
  const started = performance.now();
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < specs.length) {
        const i = next++;
        ids.push(await submitTask(client, `bench-${i}`, specs[i]));
      }
    }),
  );
  await waitForStates(client, ids, VERIFIED_OR_DONE, 600_000);
  const seconds = (performance.now() - started) / 1000;
  const f0 = performance.now();
  await closeAndFinalize(client, 600_000);
  return { seconds, finality_s: (performance.now() - f0) / 1000 };
}

const rows: Row[] = [];
const record = (network: string, n: number, r: { seconds: number; finality_s: number }, start_s: number) => {
  const row = {
    network,
    enterprise_nodes: n,
    tasks,
    seconds: Number(r.seconds.toFixed(2)),
    tasks_per_s: Number((tasks / r.seconds).toFixed(2)),
    finality_s: Number(r.finality_s.toFixed(2)),
    start_s: Number(start_s.toFixed(1)),
    load: load(),
  };
  rows.push(row);
  console.log(JSON.stringify(row));
};

console.log(`${machine()}; load ${load()}; ${tasks} tasks, concurrency ${concurrency}`);

{
  const topology = topologyWithEnterprises(2);
  const t0 = performance.now();
  const store = await openTestPglite();
  const net = await openEmbeddedNetwork({ store, keyring: new MemoryKeyring(), topology, actors: workloadActors() });
  const http = await createHttpServer(net.coordinator.service);
  const base = await http.listen({ port: 0, host: '127.0.0.1' });
  const start_s = (performance.now() - t0) / 1000;
  try {
    record(
      'embedded',
      2,
      await workload(
        base,
        topology.enterprises.flatMap((e) => e.vault_ids),
      ),
      start_s,
    );
  } finally {
    await http.close();
    await net.close();
    await store.close();
  }
}

for (const n of nodeCounts) {
  const topology = topologyWithEnterprises(n);
  const dir = await mkdtemp(join(tmpdir(), 'scs-cluster-bench-'));
  const t0 = performance.now();
  const cluster = await LocalCluster.up({
    dir,
    adminDatabaseUrl: databaseUrl,
    natsUrl,
    topology,
    actors: workloadActors(),
    readyTimeoutMs: 300_000,
  });
  const start_s = (performance.now() - t0) / 1000;
  try {
    record(
      'cluster',
      n,
      await workload(
        cluster.url,
        topology.enterprises.flatMap((e) => e.vault_ids),
      ),
      start_s,
    );
  } finally {
    await cluster.down({ purge: true });
    await rm(dir, { recursive: true, force: true });
  }
}

const base = rows.find((r) => r.network === 'embedded')!;
console.log('\nnetwork   enterprise nodes  tasks/s  vs embedded  finality s  load (1/5/15 min)');
for (const r of rows)
  console.log(
    `${r.network.padEnd(9)} ${String(r.enterprise_nodes).padStart(16)}  ${r.tasks_per_s.toFixed(2).padStart(7)}  ${(r.tasks_per_s / base.tasks_per_s).toFixed(2).padStart(11)}  ${r.finality_s.toFixed(2).padStart(10)}  ${r.load}`,
  );
const json = argValue('--json');
if (json) writeFileSync(json, `${JSON.stringify({ machine: machine(), tasks, concurrency, rows }, null, 2)}\n`);
