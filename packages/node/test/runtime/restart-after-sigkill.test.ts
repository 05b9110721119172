/**
 * A network killed with SIGKILL while tasks are in flight is started again on the same data
 * folder: every task that was acknowledged reaches a terminal state, none is lost, none runs twice.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { consentGrants } from '../support/consent.ts';
import { actorKey, signedHeaders } from '../support/signed-requests.ts';
import { delay } from '../support/wait.ts';

const child = join(import.meta.dirname, '..', 'support', 'standalone-child.ts');
const TASKS = 40;
const VAULTS = ['vlt_lioncity-app', 'vlt_lioncity-loyalty', 'vlt_straits-wallet'];

function start(dataDir: string): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`network exited early (${code})`)));
    createInterface({ input: proc.stdout! }).once('line', (line) => resolve({ proc, url: JSON.parse(line).url }));
  });
}

const tester = actorKey('act_restart-test');

async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const signed = signedHeaders(tester, method, path, text);
  const res = await fetch(`${base}${path}`, {
    method,
    headers:
      text === undefined ? { ...headers, ...signed } : { 'content-type': 'application/json', ...headers, ...signed },
    ...(text === undefined ? {} : { body: text }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const taskBody = (i: number) => ({
  class: 'compute',
  submitter: 'act_restart-test',
  consent_scope: 'analytics',
  targets: { vault_ids: [VAULTS[i % VAULTS.length]!] },
  semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['category', 'total_amount'] },
  budget: { max_fee: '100000' },
  spec: {
    kind: 'compute',
    program: { type: 'builtin', operator: i % 2 ? 'count' : 'mean', attribute: 'total_amount' },
    filter: [],
  },
});

async function allTasks(base: string): Promise<Record<string, any>[]> {
  const out: Record<string, any>[] = [];
  let cursor: string | undefined;
  do {
    const page = await call(base, 'GET', `/v1/tasks?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    out.push(...page.body.tasks);
    cursor = page.body.next_cursor;
  } while (cursor);
  return out;
}

describe('restart after SIGKILL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'scs-restart-'));
  const procs: ChildProcess[] = [];
  after(() => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes every acknowledged task exactly once', async () => {
    const first = await start(dataDir);
    procs.push(first.proc);
    for (const [v, vault] of VAULTS.entries()) {
      const records = Array.from({ length: 40 }, (_, i) => ({
        subject: `act_sub-${v}-${i % 8}`,
        fields: {
          category: 'coffee',
          total_amount: `${3 + (i % 6)}.25`,
          city: 'Singapore',
          merchant: 'Kopi',
          purchased_at: '2026-11-01T10:00:00Z',
        },
      }));
      assert.equal((await call(first.url, 'POST', `/v1/vaults/${vault}/records`, { records })).status, 201);
      const grants = consentGrants(
        vault,
        records.map((r) => r.subject),
      );
      assert.equal((await call(first.url, 'POST', '/v1/consents', { grants })).status, 201);
    }
    const acked = new Map<number, string>();
    await Promise.all(
      Array.from({ length: TASKS }, async (_, i) => {
        const r = await call(first.url, 'POST', '/v1/tasks', taskBody(i), { 'idempotency-key': `restart-${i}` });
        if (r.status === 201) acked.set(i, r.body.task_id);
      }),
    );
    assert.equal(acked.size, TASKS);
    const before = await allTasks(first.url);
    const inFlight = before.filter((t) => t.state !== 'awaiting_settlement').length;
    first.proc.kill('SIGKILL');
    await new Promise((resolve) => first.proc.once('exit', resolve));
    assert.ok(inFlight > 0, 'the kill must land while tasks are in flight');

    const second = await start(dataDir);
    procs.push(second.proc);
    // Resubmitting with the same keys names the same tasks: nothing is admitted twice.
    for (const [i, id] of acked) {
      const r = await call(second.url, 'POST', '/v1/tasks', taskBody(i), { 'idempotency-key': `restart-${i}` });
      assert.equal(r.status, 200);
      assert.equal(r.body.task_id, id);
    }
    const deadline = Date.now() + 60_000;
    for (;;) {
      const tasks = await allTasks(second.url);
      if (tasks.every((t) => ['awaiting_settlement', 'rejected', 'timed_out'].includes(t.state))) break;
      assert.ok(
        Date.now() < deadline,
        `tasks still running: ${tasks.filter((t) => t.state !== 'awaiting_settlement').map((t) => t.state)}`,
      );
      await delay(100);
    }
    assert.equal((await call(second.url, 'POST', '/v1/epochs/current/close')).status, 200);
    for (;;) {
      const s = await call(second.url, 'GET', '/v1/epochs/1/settlement');
      if (s.body.state === 'finalized') break;
      assert.ok(Date.now() < deadline, `settlement is ${s.body.state}`);
      await delay(100);
    }
    const after = await allTasks(second.url);
    assert.equal(after.length, TASKS, 'no task lost or duplicated');
    assert.deepEqual(new Set(after.map((t) => t.task_id)), new Set(acked.values()));
    assert.ok(
      after.every((t) => t.state === 'completed'),
      JSON.stringify(after.map((t) => t.state)),
    );
    const settlement = await call(second.url, 'GET', '/v1/epochs/1/settlement');
    assert.equal(settlement.body.entries.length, TASKS);
    const network = await call(second.url, 'GET', '/v1/network');
    const positions = network.body.masters.map((m: { log_position: number }) => m.log_position);
    assert.equal(new Set(positions).size, 1, `masters folded to the same position: ${positions}`);

    second.proc.kill('SIGTERM');
    assert.equal(await new Promise((resolve) => second.proc.once('exit', resolve)), 0);
  });
});
