/**
 * Determinism: the same program over the same snapshot and replay context gives byte-identical
 * output and transcript (output hash, fuel and memory included) in two fresh processes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const child = new URL('../support/sandbox-replay-child.ts', import.meta.url).pathname;

describe('sandboxed Compute replays identically', () => {
  it('prints the same output and transcript bytes from two fresh processes', async () => {
    // One after another: both read the same stored Vault (PGlite is single-process).
    const dataDir = await mkdtemp(join(tmpdir(), 'scs-sandbox-replay-'));
    try {
      const once = () => run(process.execPath, ['--import', 'tsx', child, dataDir], { maxBuffer: 1 << 20 });
      const a = await once();
      const b = await once();
      assertSame(a, b);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

function assertSame(a: { stdout: string }, b: { stdout: string }) {
  assert.equal(a.stdout, b.stdout);
  const printed = JSON.parse(a.stdout) as {
    output: { active_subjects: number; eligible_subjects: number; as_of: string };
    transcript: { output_hash: string; resource_use: { fuel: number; memory_bytes: number } };
  };
  assert.equal(printed.output.as_of, '2026-11-28T00:00:00.000Z');
  assert.equal(printed.output.active_subjects, 9);
  assert.match(printed.transcript.output_hash, /^[0-9a-f]{64}$/);
  assert.ok(printed.transcript.resource_use.fuel >= 1);
  assert.ok(printed.transcript.resource_use.memory_bytes > 0);
}
