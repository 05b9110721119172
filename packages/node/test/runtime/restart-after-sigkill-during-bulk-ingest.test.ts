/**
 * A network killed with SIGKILL in the middle of a bulk CSV upload, while acknowledged JSON
 * batches keep arriving, is started again on the same data folder: every acknowledged record is
 * there and decrypts (a count task over the Vault reads them all through the materializer), and
 * nothing of the interrupted upload is visible or left in staging. Run with every node on one
 * thread, and with the pipeline (the enterprise nodes and their Vaults) in a worker thread on its
 * own PGlite folder.
 */

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { signRequest } from '@symphony/api';
import { consentGrants } from '../support/consent.ts';
import { actorKey, signedHeaders } from '../support/signed-requests.ts';
import { delay } from '../support/wait.ts';

const child = join(import.meta.dirname, '..', 'support', 'standalone-child.ts');
const V = 'vlt_straits-wallet';
const BATCH = 200;

function start(dataDir: string, threads: 1 | 2): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, SCS_STANDALONE_THREADS: String(threads) },
  });
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`network exited early (${code})`)));
    createInterface({ input: proc.stdout! }).once('line', (line) => resolve({ proc, url: JSON.parse(line).url }));
  });
}

/** The actor `standalone-child.ts` registers; every request is signed by it. */
const tester = actorKey('act_restart-test');

async function call(base: string, method: string, path: string, body?: unknown) {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(text === undefined ? {} : { 'content-type': 'application/json' }),
      ...signedHeaders(tester, method, path, text),
    },
    ...(text === undefined ? {} : { body: text }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const jsonBatch = (b: number) => ({
  records: Array.from({ length: BATCH }, (_, i) => ({
    record_id: `rec_ack-${b}-${i}`,
    subject: `act_ack-${i % 20}`,
    fields: { category: 'coffee', total_amount: '4.50', merchant: 'Kopi', purchased_at: '2026-11-01T10:00:00Z' },
  })),
});

for (const threads of [1, 2] as const)
  describe(`restart after SIGKILL during a bulk ingest${threads === 2 ? ' (pipeline in a worker thread)' : ''}`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'scs-ingest-kill-'));
    const procs: ChildProcess[] = [];
    after(() => {
      for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('keeps every acknowledged record readable and nothing of the interrupted upload', async () => {
      const first = await start(dataDir, threads);
      procs.push(first.proc);
      let sentBytes = 0;
      let killed = false;
      // A CSV of 300 000 rows generated as it is sent: far more than can commit before the kill. Its
      // Content-Digest, which the signature covers, is computed beforehand from the same chunks.
      const header = 'subject,record_id,category,total_amount,merchant\n';
      const chunk = (i: number) => {
        let text = '';
        for (let j = i; j < i + 500; j++) text += `act_bulk-${j % 97},rec_bulk-${j},coffee,3.25,Bulk Mart\n`;
        return text;
      };
      const hash = createHash('sha256').update(header);
      for (let i = 0; i < 300_000; i += 500) hash.update(chunk(i));
      const contentDigest = `sha-256=:${hash.digest('base64')}:`;
      const rows = (async function* () {
        yield new TextEncoder().encode(header);
        for (let i = 0; i < 300_000 && !killed; i += 500) {
          const bytes = new TextEncoder().encode(chunk(i));
          sentBytes += bytes.length;
          yield bytes;
          await delay(1);
        }
      })();
      const bulk = fetch(`${first.url}/v1/vaults/${V}/uploads`, {
        method: 'POST',
        headers: {
          'content-type': 'text/csv',
          ...signRequest(
            tester,
            { method: 'POST', target: `/v1/vaults/${V}/uploads`, contentDigest },
            Math.floor(Date.now() / 1000),
            randomBytes(16).toString('hex'),
          ),
        },
        body: ReadableStream.from(rows),
        duplex: 'half',
      } as RequestInit).then(
        (r) => r.status,
        () => 'killed',
      );
      let acked = 0;
      while (sentBytes < 2_000_000) {
        const r = await call(first.url, 'POST', `/v1/vaults/${V}/records`, jsonBatch(acked));
        assert.equal(r.status, 201);
        acked++;
      }
      assert.ok(acked >= 1);
      first.proc.kill('SIGKILL');
      killed = true;
      await new Promise((resolve) => first.proc.once('exit', resolve));
      assert.equal(await bulk, 'killed', 'the bulk upload was never acknowledged');

      const second = await start(dataDir, threads);
      procs.push(second.proc);
      const vault = await call(second.url, 'GET', `/v1/vaults/${V}`);
      assert.equal(vault.body.record_count, acked * BATCH, 'exactly the acknowledged records are visible');
      // The acknowledged records' subjects consent to the task's scope (consent is tested elsewhere).
      const grants = consentGrants(
        V,
        Array.from({ length: 20 }, (_, i) => `act_ack-${i}`),
      );
      assert.equal((await call(second.url, 'POST', '/v1/consents', { grants })).status, 201);
      const task = await call(second.url, 'POST', '/v1/tasks', {
        class: 'compute',
        submitter: 'act_restart-test',
        consent_scope: 'analytics',
        targets: { vault_ids: [V] },
        semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['category'] },
        budget: { max_fee: '10000000' },
        spec: { kind: 'compute', program: { type: 'builtin', operator: 'count' }, filter: [] },
      });
      assert.equal(task.status, 201, JSON.stringify(task.body));
      const id = task.body.task_id ?? task.body.task?.task_id;
      const deadline = Date.now() + 120_000;
      let result: Record<string, any>;
      for (;;) {
        result = await call(second.url, 'GET', `/v1/tasks/${id}/result`);
        if (result.status === 200 && result.body.verified) break;
        assert.ok(Date.now() < deadline, `no result: ${JSON.stringify(result.body)}`);
        await delay(200);
      }
      assert.equal(result.body.output.value, acked * BATCH, 'every acknowledged record decrypts after the restart');

      // A new bulk upload after the restart commits in full.
      const csv = [
        'subject,record_id,category,total_amount',
        ...Array.from({ length: 3000 }, (_, i) => `act_after-${i % 50},rec_after-${i},coffee,1.00`),
      ].join('\n');
      const res = await fetch(`${second.url}/v1/vaults/${V}/uploads`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', ...signedHeaders(tester, 'POST', `/v1/vaults/${V}/uploads`, csv) },
        body: csv,
      });
      assert.equal(res.status, 201);
      assert.equal(((await res.json()) as { accepted: number }).accepted, 3000);

      second.proc.kill('SIGTERM');
      assert.equal(await new Promise((resolve) => second.proc.once('exit', resolve)), 0);
    });
  });
