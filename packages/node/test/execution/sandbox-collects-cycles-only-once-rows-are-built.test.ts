/**
 * QuickJS's cycle collector is paused while a sandbox run's rows are built, which make no garbage,
 * and resumes under QuickJS's own policy before the program runs (collection-threshold.ts): a
 * program that makes far more cyclic garbage than its memory limit still runs to the end.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Row } from '../../src/execution/builtin-operators.ts';
import {
  DEFAULT_SANDBOX_LIMITS,
  runSandboxed,
  sandboxCollectionPauses,
} from '../../src/execution/sandbox/quickjs-sandbox.ts';
import { sandboxContext } from '../support/sandbox-context.ts';

const MiB = 1024 * 1024;
const rows: Row[] = Array.from({ length: 5000 }, (_, i) => ({
  subject: `act_${i % 97}`,
  fields: { category: i % 3 ? 'coffee' : 'tea', amount: `${i % 11}.50` },
}));

/** Makes `count` cycles of two objects and a 64-element array, keeping none, over the rows. */
const cycles = (count: number) => `export default function run(rows) {
  let sum = 0;
  for (let i = 0; i < ${count}; i++) {
    const a = { pad: new Array(64).fill(rows[i % rows.length].subject) };
    const b = { a };
    a.b = b;
    sum += a.pad.length;
  }
  return sum;
}`;

describe('sandbox garbage collection', () => {
  it('builds every run rows with collections paused', async () => {
    const before = sandboxCollectionPauses();
    for (let k = 0; k < 2; k++)
      await runSandboxed('export default (rows) => rows.length', rows, sandboxContext('tsk_gc_paused'));
    assert.equal(sandboxCollectionPauses(), before + 2);
  });

  it('collects the program cycles, so garbage many times the memory limit fits in it', async () => {
    // About 300 MiB of cycles in all under a 32 MiB limit: out of memory unless collected.
    const limits = { ...DEFAULT_SANDBOX_LIMITS, memoryBytes: 32 * MiB, fuel: 1_000_000 };
    const run = await runSandboxed(cycles(450_000), rows, sandboxContext('tsk_gc_cycles'), limits);
    assert.equal(run.outputJson, String(450_000 * 64));
    assert.ok(run.memoryPeakBytes < 48 * MiB, `memory ${run.memoryPeakBytes} bytes`);
  });
});
