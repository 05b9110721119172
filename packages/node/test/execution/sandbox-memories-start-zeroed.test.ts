/**
 * A sandbox run may get a WebAssembly memory that an earlier run used (zeroed-memories.ts): it must
 * be in the state of a new memory, every byte zero and at its initial size, so that nothing of the
 * earlier run reaches the next one and a run gives the same output, fuel and memory use whatever
 * ran before it in the process.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Row } from '../../src/execution/builtin-operators.ts';
import { runSandboxed } from '../../src/execution/sandbox/quickjs-sandbox.ts';
import { type WasmMemory, zeroedMemories } from '../../src/execution/sandbox/zeroed-memories.ts';
import { sandboxContext } from '../support/sandbox-context.ts';

const PAGE = 65_536;
const Memory = (
  globalThis as unknown as {
    WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => WasmMemory & { grow(n: number): number } };
  }
).WebAssembly.Memory;

describe('sandbox memories', () => {
  it('hands a used memory back zeroed, and drops one that grew', () => {
    const created: WasmMemory[] = [];
    const memories = zeroedMemories(4 * PAGE, (maximum) => {
      const m = new Memory({ initial: 4, maximum });
      created.push(m);
      return m;
    });
    const first = memories.take(8);
    const bytes = new Uint8Array(first.buffer);
    bytes[0] = 1;
    bytes[PAGE + 17] = 2;
    bytes[bytes.length - 1] = 3;
    memories.give(first, 8);
    const again = memories.take(8);
    assert.equal(again, first);
    assert.equal(again.buffer.byteLength, 4 * PAGE);
    assert.ok(new Uint8Array(again.buffer).every((b) => b === 0));
    // Another maximum never gets it.
    memories.give(again, 8);
    assert.notEqual(memories.take(16), first);

    const grown = memories.take(8) as WasmMemory & { grow(n: number): number };
    assert.equal(grown, first);
    grown.grow(1);
    memories.give(grown, 8);
    assert.notEqual(memories.take(8), first);
    assert.equal(created.length, 3);
  });

  it('keeps a grown memory zeroed when its size is allowed, and evicts the oldest past two', () => {
    const memories = zeroedMemories(4 * PAGE, (maximum) => new Memory({ initial: 4, maximum }));
    const grown = memories.take(16) as WasmMemory & { grow(n: number): number };
    grown.grow(2);
    new Uint8Array(grown.buffer)[5 * PAGE + 3] = 9;
    memories.give(grown, 16, 8 * PAGE);
    const again = memories.take(16);
    assert.equal(again, grown);
    assert.equal(again.buffer.byteLength, 6 * PAGE);
    assert.ok(new Uint8Array(again.buffer).every((b) => b === 0));
    // Larger than allowed: dropped.
    memories.give(again, 16, 5 * PAGE);
    assert.notEqual(memories.take(16), grown);

    const [a, b, c] = [memories.take(8), memories.take(8), memories.take(8)];
    for (const m of [a, b, c]) memories.give(m, 8);
    const kept = [memories.take(8), memories.take(8), memories.take(8)];
    // The two most recent come back, latest first; the oldest was evicted.
    assert.deepEqual(kept.slice(0, 2), [c, b]);
    assert.ok(kept[2] !== a && kept[2] !== b && kept[2] !== c);
  });

  it('gives the same output, fuel and memory use before and after other runs', async () => {
    const ctx = sandboxContext('tsk_memories');
    const rows: Row[] = Array.from({ length: 2000 }, (_, i) => ({
      subject: `act_${i % 37}`,
      fields: { category: i % 3 ? 'coffee' : 'tea', amount: `${i % 11}.50` },
    }));
    const probe = `export default function run(rows) {
      const seen = new Map();
      for (const r of rows) seen.set(r.subject, (seen.get(r.subject) ?? 0) + Number(r.fields.amount));
      return { subjects: seen.size, draw: Math.floor(Math.random() * 1e6), total: [...seen.values()].reduce((a, b) => a + b, 0) };
    }`;
    // Leaves strings and objects all over its heap without growing its memory.
    const litter = `export default function run(rows) {
      const keep = [];
      for (let i = 0; i < 20000; i++) keep.push({ i, s: 'litter-' + i + rows.length });
      return keep.length;
    }`;
    const before = await runSandboxed(probe, rows, ctx);
    // Small enough to stay in the memory's initial 16 MiB, so its memory is kept for the next run.
    assert.equal(before.memoryPeakBytes, 256 * PAGE);
    for (let k = 0; k < 3; k++) await runSandboxed(litter, rows, ctx);
    const after = await runSandboxed(probe, rows, ctx);
    assert.deepEqual(after, before);
  });
});
