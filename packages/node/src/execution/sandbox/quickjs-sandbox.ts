/**
 * Runs one submitted program in a fresh QuickJS instance compiled to WebAssembly (never `node:vm`).
 * Each run gets its own WebAssembly instance, on a linear memory with every byte zero
 * (zeroed-memories.ts) whose size the run sees as a new memory would have it (fresh-heap-size.ts),
 * so nothing survives between runs and a run's memory use does not depend on earlier runs.
 * Limits: a QuickJS heap limit and a hard cap on the WebAssembly memory, a stack limit, a
 * deterministic fuel budget (QuickJS calls the interrupt handler after a fixed number of executed
 * operations; every call is one unit of fuel) and a wall-clock deadline as a safety net. The only
 * input is the rows as value dictionaries and an index table (sandbox-rows.ts), built into rows
 * before the program's module is evaluated, and one JSON string of context; the only output is one JSON string, bounded in size.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import {
  type EmscriptenModuleLoader,
  memoizePromiseFactory,
  newVariant,
  type QuickJSContext,
  type QuickJSEmscriptenModule,
  type QuickJSSyncVariant,
  QuickJSWASMModule,
} from 'quickjs-emscripten-core';
import type { Row } from '../builtin-operators.ts';
import { pauseCollections, resumeCollections } from './collection-threshold.ts';
import { grownHeapSize, HEAP_PAGES_EXPORT, PAGE, withHeapPagesGlobal } from './fresh-heap-size.ts';
import { useNativeHeapStrings } from './heap-strings.ts';
import { preludeSource } from './sandbox-prelude.ts';
import { SandboxRejected } from './sandbox-rejection.ts';
import { type EncodedRows, encodeRows } from './sandbox-rows.ts';
import { type WasmMemory, zeroedMemories } from './zeroed-memories.ts';

/** Resource limits of one run. `fuel` is deterministic; `timeMs` is a wall-clock safety net only. */
export type SandboxLimits = {
  memoryBytes: number;
  stackBytes: number;
  fuel: number;
  timeMs: number;
  outputBytes: number;
};

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = {
  memoryBytes: 256 * 1024 * 1024,
  stackBytes: 512 * 1024,
  fuel: 20_000,
  timeMs: 10_000,
  outputBytes: 1_048_576,
};

/** What a program sees besides its rows: the replay context and the task's fixed time. */
export type SandboxContext = {
  task_id: string;
  epoch_id: number;
  semantic_version: string;
  policy_version: number;
  seed: string;
  now_ms: number;
  k_min: number;
};

/** A finished run: the program's JSON output text and the resources it used. */
export type SandboxRun = { outputJson: string; fuelUsed: number; memoryPeakBytes: number };

// The package's types describe its CommonJS build; under ESM its default export is the variant itself.
const releaseVariant = releaseSync as unknown as QuickJSSyncVariant;
// Its two parts are loaded once per process: a dynamic `import()` per run (three in
// `newQuickJSWASMModuleFromVariant`) costs more than instantiating the WebAssembly module. Each run
// still gets a new emscripten module object, WebAssembly instance and memory from them. The
// emscripten loader is the package's CommonJS build of it (its `require` export): the ESM build
// starts every instance with `await import('node:module')`, a round trip to the module loader's
// thread when loader hooks are registered (as `symphony` and the tests register tsx's).
const emscriptenLoader = createRequire(import.meta.url)(
  '@jitl/quickjs-wasmfile-release-sync/emscripten-module',
) as EmscriptenModuleLoader<QuickJSEmscriptenModule>;
const variant: QuickJSSyncVariant = {
  type: 'sync',
  importFFI: memoizePromiseFactory(releaseVariant.importFFI),
  importModuleLoader: () => Promise.resolve(emscriptenLoader),
};

/** The slice of the WebAssembly JS API used here (the project's `lib` has no DOM types). */
type WasmModule = object;
type WasmGlobal = { value: number };
type WasmInstance = { exports: Record<string, unknown> };
type GrowableMemory = WasmMemory & { grow(pages: number): number };
const Wasm = (
  globalThis as unknown as {
    WebAssembly: {
      compile(bytes: Uint8Array): Promise<WasmModule>;
      instantiate(module: WasmModule, imports: object): Promise<WasmInstance>;
      Memory: new (d: { initial: number; maximum: number }) => GrowableMemory;
      RuntimeError: new () => Error;
    };
  }
).WebAssembly;

/** The QuickJS module's declared minimum memory, 16 MiB. */
const INITIAL_PAGES = 256;
/** Grown memories kept for later runs at most this large (fresh-heap-size.ts). */
const KEEP_GROWN_BYTES = 64 * 1024 * 1024;
let created = 0;
const memories = zeroedMemories(INITIAL_PAGES * PAGE, (maximum) => {
  created++;
  return new Wasm.Memory({ initial: INITIAL_PAGES, maximum });
});

/** How many WebAssembly memories the process's sandbox runs have created (the others were reused). */
export function sandboxMemoriesCreated(): number {
  return created;
}

let pauses = 0;
/** How many of the process's sandbox runs built their rows with collections paused (collection-threshold.ts). */
export function sandboxCollectionPauses(): number {
  return pauses;
}

/** The compiled QuickJS module; `freshSizes` when its memory size reads go through `scs_heap_pages`. */
type Compiled = { module: WasmModule; freshSizes: boolean };
let compiled: Promise<Compiled> | undefined;

/** The QuickJS WebAssembly module, compiled once per process (instances are per run). */
function quickjsModule(): Promise<Compiled> {
  compiled ??= (async () => {
    const url = import.meta.resolve('@jitl/quickjs-wasmfile-release-sync/wasm');
    const bytes = new Uint8Array(await readFile(new URL(url)));
    const rewritten = withHeapPagesGlobal(bytes, INITIAL_PAGES);
    return { module: await Wasm.compile(rewritten ?? bytes), freshSizes: rewritten !== undefined };
  })();
  return compiled;
}

/** The memory's size as the run sees it: what a new memory would have grown to (fresh-heap-size.ts). */
type Heap = { bytes: number };

/**
 * Instantiates the rewritten module on `memory` with emscripten's heap growth answered for the size
 * the run sees, `heap.bytes`, which starts at the initial size whatever `memory` is: the real memory
 * grows only when it is smaller, by exactly what a new memory would have grown to.
 */
function instantiateWithFreshSizes(wasmModule: WasmModule, memory: GrowableMemory, maximumPages: number, heap: Heap) {
  return async (imports: { a: Record<string, unknown> }, onSuccess: (instance: WasmInstance) => void) => {
    const glueResize = imports.a.k as (requested: number) => boolean;
    let pages: WasmGlobal | undefined;
    imports.a.k = (requested: number): boolean => {
      const next = grownHeapSize(heap.bytes, requested, maximumPages * PAGE);
      if (next === undefined) return false;
      const real = memory.buffer.byteLength;
      if (next > real) {
        // As emscripten's own resize, a memory the host cannot grow is a failed resize.
        try {
          memory.grow((next - real) / PAGE);
        } catch {
          return false;
        }
        // Refreshes emscripten's views of the grown buffer: asked for what the memory now holds,
        // its own resize grows by zero pages and rebuilds them.
        glueResize(memory.buffer.byteLength);
      }
      heap.bytes = next;
      (pages as WasmGlobal).value = next / PAGE;
      return true;
    };
    const instance = await Wasm.instantiate(wasmModule, imports);
    pages = instance.exports[HEAP_PAGES_EXPORT] as WasmGlobal;
    pages.value = INITIAL_PAGES;
    onSuccess(instance);
    return instance.exports;
  };
}

/**
 * A new QuickJS WebAssembly instance on `memory`: what `newQuickJSWASMModuleFromVariant` (pinned
 * 0.32.0) does, without its dynamic imports.
 */
async function newInstance(
  wasm: Compiled,
  memory: GrowableMemory,
  maximumPages: number,
  heap: Heap,
): Promise<QuickJSWASMModule> {
  const fresh = wasm.freshSizes
    ? newVariant(variant, {
        wasmMemory: memory as never,
        emscriptenModule: {
          instantiateWasm: instantiateWithFreshSizes(wasm.module, memory, maximumPages, heap) as never,
        },
      })
    : newVariant(variant, { wasmModule: wasm.module as never, wasmMemory: memory as never });
  const [loader, QuickJSFFI] = await Promise.all([fresh.importModuleLoader(), variant.importFFI()]);
  // newVariant's loader is always the loader function itself, never a module namespace.
  const emscripten = await (loader as EmscriptenModuleLoader<QuickJSEmscriptenModule>)();
  emscripten.type = 'sync';
  return new QuickJSWASMModule(emscripten, new QuickJSFFI(emscripten));
}

/** Reads a QuickJS error value into a message without running any of the program's code. */
function errorMessage(vm: QuickJSContext, handle: Parameters<QuickJSContext['dump']>[0]): string {
  const dumped = vm.dump(handle) as unknown;
  if (dumped && typeof dumped === 'object') {
    const o = dumped as { name?: unknown; message?: unknown };
    return `${String(o.name ?? 'Error')}: ${String(o.message ?? '')}`;
  }
  return String(dumped);
}

/**
 * Runs `source` (an ES module whose default export is `function run(rows, ctx)`) over `rows`.
 * Throws {@link SandboxRejected} with a stable reason code when the program is refused or contained.
 */
export async function runSandboxed(
  source: string,
  rows: readonly Row[],
  context: SandboxContext,
  limits: SandboxLimits = DEFAULT_SANDBOX_LIMITS,
): Promise<SandboxRun> {
  try {
    return await runInFreshInstance(source, encodeRows(rows), context, limits);
  } catch (error) {
    if (error instanceof SandboxRejected) throw error;
    // The WebAssembly call stack ran out before QuickJS's own stack check fired.
    if (error instanceof RangeError) throw new SandboxRejected('sandbox_stack_limit', 'call stack exhausted');
    if (error instanceof Wasm.RuntimeError)
      throw new SandboxRejected('sandbox_memory_limit', 'the WebAssembly instance trapped');
    throw error;
  }
}

async function runInFreshInstance(
  source: string,
  rows: EncodedRows,
  context: SandboxContext,
  limits: SandboxLimits = DEFAULT_SANDBOX_LIMITS,
): Promise<SandboxRun> {
  const maximumPages = INITIAL_PAGES + Math.ceil(limits.memoryBytes / PAGE) + 64;
  const wasm = await quickjsModule();
  const memory = memories.take(maximumPages) as GrowableMemory;
  try {
    return await runOnMemory(source, rows, context, limits, wasm, memory, maximumPages);
  } finally {
    memories.give(memory, maximumPages, wasm.freshSizes ? KEEP_GROWN_BYTES : INITIAL_PAGES * PAGE);
  }
}

async function runOnMemory(
  source: string,
  rows: EncodedRows,
  context: SandboxContext,
  limits: SandboxLimits,
  wasm: Compiled,
  memory: GrowableMemory,
  maximumPages: number,
): Promise<SandboxRun> {
  const heap: Heap = { bytes: INITIAL_PAGES * PAGE };
  const qjs = await newInstance(wasm, memory, maximumPages, heap);
  useNativeHeapStrings(qjs, memory);
  const denied: string[] = [];
  let fuelUsed = 0;
  let memoryPeakBytes = 0;
  let stop: 'fuel' | 'time' | undefined;
  const deadline = Date.now() + limits.timeMs;
  // The instance is dropped after the run, never disposed: a contained program may leave the heap
  // in a state QuickJS's own teardown asserts on, and nothing of it but its zeroed memory is reused.
  const runtime = qjs.newRuntime();
  {
    // None while the rows are built (collection-threshold.ts); only in the build fresh-heap-size.ts checked.
    const runtimePointer = (runtime as unknown as { rt: { value: number } }).rt.value;
    const paused = wasm.freshSizes && pauseCollections(memory, runtimePointer);
    if (paused) pauses++;
    runtime.setMemoryLimit(limits.memoryBytes);
    runtime.setMaxStackSize(limits.stackBytes);
    runtime.setModuleLoader((name) => {
      denied.push(`import:${name}`);
      return { error: new Error('modules are not available in the sandbox') };
    });
    runtime.setInterruptHandler(() => {
      fuelUsed++;
      if (fuelUsed > limits.fuel) stop = 'fuel';
      else if (Date.now() > deadline) stop = 'time';
      return stop !== undefined;
    });
    const vm = runtime.newContext();
    {
      const deny = vm.newFunction('__scs_deny', (what) => {
        denied.push(vm.getString(what));
      });
      vm.setProp(vm.global, '__scs_deny', deny);
      deny.dispose();
      const prelude = vm.evalCode(preludeSource(context.now_ms, context.seed), 'prelude.js');
      if (prelude.error) {
        const message = errorMessage(vm, prelude.error);
        prelude.error.dispose();
        throw new Error(`sandbox prelude failed: ${message}`);
      }
      prelude.value.dispose();
      const load = vm.getProp(vm.global, '__scs_rows');
      const drive = vm.getProp(vm.global, '__scs_drive');
      vm.evalCode('delete globalThis.__scs_rows; delete globalThis.__scs_drive').dispose();

      const classify = (message: string): SandboxRejected => {
        if (stop === 'fuel') return new SandboxRejected('sandbox_fuel_exhausted', `fuel budget ${limits.fuel} spent`);
        if (stop === 'time') return new SandboxRejected('sandbox_time_limit', `ran past ${limits.timeMs} ms`);
        const first = denied[0];
        if (first?.startsWith('import:'))
          return new SandboxRejected('sandbox_import_denied', 'modules are unavailable');
        if (first?.startsWith('host:')) return new SandboxRejected('sandbox_host_access_denied', first.slice(5));
        if (first?.startsWith('nondeterminism:'))
          return new SandboxRejected('sandbox_nondeterminism_denied', first.slice('nondeterminism:'.length));
        if (/out of memory/i.test(message)) return new SandboxRejected('sandbox_memory_limit', 'heap limit reached');
        if (/stack overflow/i.test(message)) return new SandboxRejected('sandbox_stack_limit', 'stack limit reached');
        return new SandboxRejected('sandbox_program_error', message.slice(0, 200));
      };

      // The rows are built before the program's module is evaluated: none of its code has run, so
      // nothing it could replace (a prototype method, Symbol.split) takes part in building them.
      const argHandles = [
        vm.newString(rows.strings),
        vm.newString(rows.dictionaryJson),
        vm.newArrayBuffer(rows.indices.buffer),
      ];
      const built = vm.callFunction(load, vm.undefined, ...argHandles);
      for (const h of [...argHandles, load]) h.dispose();
      if (built.error) {
        const message = errorMessage(vm, built.error);
        built.error.dispose();
        drive.dispose();
        throw classify(message);
      }
      built.value.dispose();
      if (paused) resumeCollections(memory, runtimePointer);

      const mod = vm.evalCode(source, 'program.js', { type: 'module' });
      if (mod.error) {
        const message = errorMessage(vm, mod.error);
        mod.error.dispose();
        drive.dispose();
        const rejection = classify(message);
        if (rejection.code === 'sandbox_program_error' && /^SyntaxError/.test(message))
          throw new SandboxRejected('sandbox_program_invalid', message.slice(0, 200));
        throw rejection;
      }
      const run = vm.getProp(mod.value, 'default');
      mod.value.dispose();
      if (vm.typeof(run) !== 'function') {
        run.dispose();
        drive.dispose();
        throw new SandboxRejected(
          'sandbox_program_invalid',
          'the module has no default export function run(rows, ctx)',
        );
      }
      const ctxHandle = vm.newString(JSON.stringify(context));
      const result = vm.callFunction(drive, vm.undefined, run, ctxHandle);
      // `drive` is never released: it keeps the rows alive, so QuickJS does not free them one object
      // at a time (a tenth of a run at 10^5 rows) before the instance is dropped whole.
      for (const h of [ctxHandle, run]) h.dispose();
      if (result.error) {
        const message = errorMessage(vm, result.error);
        result.error.dispose();
        throw classify(message);
      }
      const kind = vm.typeof(result.value);
      const text = kind === 'string' ? vm.getString(result.value) : vm.getNumber(result.value);
      result.value.dispose();
      const jobs = runtime.executePendingJobs();
      if (jobs.error) throw classify(errorMessage(vm, jobs.error));
      if (denied.length > 0 || stop !== undefined) throw classify('');
      if (text === 1) throw new SandboxRejected('sandbox_invalid_output', 'run must return synchronously');
      if (typeof text !== 'string') throw new SandboxRejected('sandbox_invalid_output', 'run returned no JSON value');
      if (Buffer.byteLength(text, 'utf8') > limits.outputBytes)
        throw new SandboxRejected('sandbox_output_too_large', `output exceeds ${limits.outputBytes} bytes`);
      memoryPeakBytes = wasm.freshSizes ? heap.bytes : memory.buffer.byteLength;
      return { outputJson: text, fuelUsed, memoryPeakBytes };
    }
  }
}
