/**
 * Re-running a Compute task with built-in operators under the same replay context, in a fresh
 * process each time, reproduces the output hash and the transcript hash exactly (and, with the
 * same enclave key, the attestation evidence and the signed receipt). A different replay context
 * gives a different transcript, so the comparison can fail.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { FileKeyring } from '../../src/adapters/file-keyring.ts';

const child = join(import.meta.dirname, '..', 'support', 'compute-replay-child.ts');

type Result = {
  operator: string;
  output_hash: string;
  transcript_hash: string;
  recomputed_transcript_hash: string;
  transcript_bytes_hash: string;
  output_bytes_hash: string;
  evidence_hash: string;
  receipt_hash: string;
  provider: string;
  seal_intact: boolean;
  records_scanned: number;
};

async function runOnce(dataDir: string, epoch: number): Promise<{ pid: number; results: Result[] }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child, dataDir, String(epoch)], {
    timeout: 120_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

describe('Compute with built-in operators replays byte-identically in fresh processes', () => {
  let dataDir: string;
  let first: Awaited<ReturnType<typeof runOnce>>;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'scs-replay-'));
    // Create the node and enclave keys once, so both runs are the same node and enclave.
    const keyring = new FileKeyring({ dataDir });
    await keyring.ensureKey('node-replay');
    await keyring.ensureKey('node-replay.enclave');
    first = await runOnce(dataDir, 7);
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('gives the same output, transcript, evidence and receipt hashes twice', async () => {
    const second = await runOnce(dataDir, 7);
    assert.notEqual(first.pid, second.pid);
    assert.equal(first.results.length, 4);
    assert.deepEqual(
      first.results.map((r) => r.operator),
      ['count', 'sum', 'mean', 'histogram'],
    );
    for (const r of first.results) {
      assert.equal(r.recomputed_transcript_hash, r.transcript_hash, 'the receipt carries the transcript hash');
      assert.ok(r.seal_intact, 'the enclave sealed transcript and evidence');
      assert.equal(r.provider, 'simulated');
      assert.ok(r.records_scanned > 0);
    }
    assert.deepEqual(second.results, first.results);
    // Every task differs from the others (no constant hash could pass the comparison above).
    assert.equal(new Set(first.results.map((r) => r.transcript_hash)).size, 4);
  });

  it('gives a different transcript under a different replay context', async () => {
    const b = await runOnce(dataDir, 8);
    for (const [i, r] of first.results.entries()) {
      assert.equal(b.results[i]!.output_hash, r.output_hash, 'the built-ins do not depend on the epoch');
      assert.notEqual(b.results[i]!.transcript_hash, r.transcript_hash);
    }
  });
});
