/**
 * A sandbox run may get a WebAssembly memory that an earlier run grew (zeroed-memories.ts,
 * fresh-heap-size.ts). It must see the sizes, growth and failures a new memory would give it, so
 * that its output, fuel and reported memory use (`resource_use.memory_bytes`) are those of the same
 * run on a new memory: each probe below runs once on a reused, larger memory in this process and
 * once on a new memory in a fresh process, and the two must be equal.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSSyncVariant } from 'quickjs-emscripten-core';
import { grownHeapSize } from '../../src/execution/sandbox/fresh-heap-size.ts';
import { type SandboxRun, sandboxMemoriesCreated } from '../../src/execution/sandbox/quickjs-sandbox.ts';
import { type Probe, runProbe } from '../support/sandbox-fresh-memory-child.ts';

const run = promisify(execFile);
const child = new URL('../support/sandbox-fresh-memory-child.ts', import.meta.url).pathname;
const MiB = 1024 * 1024;
const PAGE = 65_536;

/** Keeps `mib` MiB of ArrayBuffers alive: grows its memory by about that much, in 1 MiB steps. */
const grower = (mib: number) => `export default function run() {
  const keep = [];
  for (let i = 0; i < ${mib}; i++) keep.push(new ArrayBuffer(1 << 20));
  return keep.length;
}`;

// Each probe has its own memory limit (so its own memory maximum): in the fresh process none of
// them can get another's memory.
// `given`: whether the memory the probe reuses is larger than the probe's own size (the real memory
// never grows under it) or smaller (it grows under the run).
const probes: (Probe & { name: string; growerMiB: number; given: 'larger' | 'smaller' })[] = [
  {
    name: 'many small objects: several growth steps of 20 % each',
    source: `export default function run(rows) {
      const keep = [];
      for (let i = 0; i < 150000; i++) keep.push({ i, s: 'x' + i + rows.length });
      return keep.length;
    }`,
    memoryBytes: 256 * MiB,
    rowCount: 100,
    growerMiB: 40,
    given: 'larger',
  },
  {
    name: 'one large buffer: growth to the request itself, past 20 %',
    source: `export default function run() {
      const b = new Uint8Array(30 << 20);
      b[b.length - 1] = 7;
      return b[b.length - 1];
    }`,
    memoryBytes: 256 * MiB + PAGE,
    rowCount: 0,
    growerMiB: 40,
    given: 'larger',
  },
  {
    name: 'small objects, a large buffer, then more objects',
    source: `export default function run(rows) {
      const keep = [];
      for (let i = 0; i < 60000; i++) keep.push({ i });
      keep.push(new ArrayBuffer(12 << 20));
      for (let i = 0; i < 60000; i++) keep.push('y' + i);
      return keep.length + rows.length;
    }`,
    memoryBytes: 256 * MiB + 2 * PAGE,
    rowCount: 500,
    growerMiB: 40,
    given: 'larger',
  },
  {
    name: 'rows and a program over them',
    source: `export default function run(rows) {
      const by = new Map();
      for (const r of rows) by.set(r.subject, (by.get(r.subject) ?? 0) + Number(r.fields.amount));
      return { subjects: by.size, draw: Math.floor(Math.random() * 1e6), total: [...by.values()].reduce((a, b) => a + b, 0) };
    }`,
    memoryBytes: 256 * MiB + 3 * PAGE,
    rowCount: 60000,
    growerMiB: 40,
    given: 'larger',
  },
  {
    name: 'more than the reused memory holds: the real memory grows under the run',
    source: `export default function run() {
      const keep = [];
      for (let i = 0; i < 70; i++) keep.push(new ArrayBuffer(1 << 20));
      return keep.length;
    }`,
    memoryBytes: 256 * MiB + 4 * PAGE,
    rowCount: 0,
    growerMiB: 30,
    given: 'smaller',
  },
  {
    name: 'the memory limit reached',
    source: `export default function run() {
      const keep = [];
      for (;;) keep.push(new ArrayBuffer(1 << 20));
    }`,
    memoryBytes: 24 * MiB,
    rowCount: 0,
    growerMiB: 16,
    given: 'larger',
  },
];

type Memory = { readonly buffer: ArrayBuffer };
const Wasm = (
  globalThis as unknown as {
    WebAssembly: {
      compile(bytes: Uint8Array): Promise<object>;
      instantiate(module: object, imports: object): Promise<{ exports: object }>;
      Memory: new (d: { initial: number; maximum: number }) => Memory;
    };
  }
).WebAssembly;

describe('sandbox runs on reused memories', () => {
  it("size the memory as emscripten's own heap growth does on a new memory", async () => {
    // emscripten's resize function (the module's import a.k), captured from an unmodified instance.
    const url = import.meta.resolve('@jitl/quickjs-wasmfile-release-sync/wasm');
    const compiled = await Wasm.compile(new Uint8Array(await readFile(new URL(url))));
    const maximumPages = 1000;
    const memory = new Wasm.Memory({ initial: 256, maximum: maximumPages });
    let resize: ((requested: number) => boolean) | undefined;
    const instantiateWasm = async (imports: { a: { k: (r: number) => boolean } }, done: (i: object) => void) => {
      resize = imports.a.k;
      const instance = await Wasm.instantiate(compiled, imports);
      done(instance);
      return instance.exports;
    };
    // The package's CommonJS emscripten glue, the one the sandbox loads.
    const glue = createRequire(import.meta.url)('@jitl/quickjs-wasmfile-release-sync/emscripten-module');
    const base = { ...(releaseSync as unknown as QuickJSSyncVariant), importModuleLoader: async () => glue };
    await newQuickJSWASMModuleFromVariant(
      newVariant(base, {
        wasmMemory: memory as never,
        emscriptenModule: { instantiateWasm: instantiateWasm as never },
      }),
    );
    // Breaks past the size: within 20 %, past it, near and past the maximum (from 60 MiB even 5 %
    // more passes the 62.5 MiB maximum, so a break of 61 MiB is refused although it would fit).
    const requests = [16 * MiB + 8, 17 * MiB, 24 * MiB + 3, 31 * MiB, 60 * MiB, 61 * MiB, 62 * MiB + 100, 70 * MiB];
    let size = memory.buffer.byteLength;
    let refused = 0;
    for (const requested of requests) {
      if (requested <= size) continue;
      const ours = grownHeapSize(size, requested, maximumPages * PAGE);
      assert.equal((resize as (r: number) => boolean)(requested), ours !== undefined, `break ${requested}`);
      assert.equal(memory.buffer.byteLength, ours ?? size, `break ${requested}`);
      if (ours === undefined) refused++;
      size = memory.buffer.byteLength;
    }
    assert.equal(size, 60 * MiB);
    assert.ok(refused >= 1);
  });

  it('give the output, fuel and memory use of a run on a new memory', async () => {
    const fresh = JSON.parse(
      (await run(process.execPath, ['--import', 'tsx', child, JSON.stringify(probes)], { maxBuffer: 1 << 20 })).stdout,
    ) as unknown[];
    assert.equal(fresh.length, probes.length);
    for (const [i, probe] of probes.entries()) {
      // A larger memory than the probe starts with, left by another run with the same maximum.
      const grown = (await runProbe({ ...probe, source: grower(probe.growerMiB), rowCount: 0 })) as SandboxRun;
      const created = sandboxMemoriesCreated();
      const reused = await runProbe(probe);
      assert.equal(sandboxMemoriesCreated(), created, `${probe.name}: the grown memory was reused`);
      assert.deepEqual(reused, fresh[i], probe.name);
      // The probes grow past the 16 MiB every run starts from, on memories that an earlier run left
      // at another size (the last one is refused).
      if (i === probes.length - 1) continue;
      const bytes = (fresh[i] as SandboxRun).memoryPeakBytes;
      assert.ok(bytes > 16 * MiB, probe.name);
      assert.equal(grown.memoryPeakBytes > bytes, probe.given === 'larger', probe.name);
    }
    assert.deepEqual(fresh.at(-1), { rejected: 'sandbox_memory_limit' });
  });
});
