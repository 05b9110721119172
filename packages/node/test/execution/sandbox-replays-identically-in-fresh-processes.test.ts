/**
 * Determinism: the same program over the same snapshot and replay context gives byte-identical
 * output and transcript (output hash, fuel and memory included) in two fresh processes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const child = new URL('../support/sandbox-replay-child.ts', import.meta.url).pathname;

describe('sandboxed Compute replays identically', () => {
  it('prints the same output and transcript bytes from two fresh processes', async () => {
    const [a, b] = await Promise.all(
      [0, 1].map(() => run(process.execPath, ['--import', 'tsx', child], { maxBuffer: 1 << 20 })),
    );
    assert.ok(a && b);
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
  });
});
