/**
 * No garbage collection while a sandbox run's rows are being built. QuickJS frees most values by
 * reference counting; its cycle collector runs whenever the heap passes a threshold (256 KiB's worth
 * when the runtime is created, then 1.5 times the heap left after each collection), and every
 * collection visits every live object. Building 10^5 rows grows the heap from nothing to tens of
 * MiB: a dozen collections, each visiting the rows built so far, and none finding anything to free,
 * since the builder makes no cycles and every row stays live.
 *
 * So the sandbox pauses collections from the runtime's creation until its rows are built
 * ({@link pauseCollections}), then resumes them as if QuickJS had just collected at that point
 * ({@link resumeCollections}: the threshold becomes 1.5 times the heap, QuickJS's own rule). The
 * program runs under QuickJS's usual policy from there, so a program that makes cyclic garbage is
 * collected as before. Both depend only on the run's allocations, so runs stay deterministic.
 *
 * QuickJS exports no setter for the threshold (`JS_SetGCThreshold` is not in quickjs-emscripten's
 * FFI), so the sandbox writes `JSRuntime` fields itself, in the build checked by fresh-heap-size.ts
 * only. There `JS_NewRuntime` stores the 256 KiB default once, `i32.const 262144; i32.store
 * offset=108`, into `malloc_gc_threshold`; `malloc_state` is at 16: `malloc_count`, then
 * `malloc_size`. In this build `malloc_usable_size` is 0, so QuickJS counts its heap as 8 bytes per
 * live allocation (`malloc_size = 8 * malloc_count`), and the threshold is in those units.
 */

const MALLOC_COUNT_OFFSET = 16;
const MALLOC_SIZE_OFFSET = 20;
const THRESHOLD_OFFSET = 108;
/** The threshold `JS_NewRuntime` sets. */
const DEFAULT_THRESHOLD = 256 * 1024;
/** What QuickJS adds to `malloc_size` per allocation in this build (`MALLOC_OVERHEAD`, usable size 0). */
const COUNTED_PER_ALLOCATION = 8;
const NEVER = 0xffff_ffff;

type Memory = { buffer: ArrayBuffer };
const view = (memory: Memory) => new DataView(memory.buffer);

/**
 * Stops collections in the runtime at `runtimePointer`, just created. False, with nothing written,
 * when its fields do not hold what a new runtime of the checked build holds.
 */
export function pauseCollections(memory: Memory, runtimePointer: number): boolean {
  const v = view(memory);
  const count = v.getUint32(runtimePointer + MALLOC_COUNT_OFFSET, true);
  const size = v.getUint32(runtimePointer + MALLOC_SIZE_OFFSET, true);
  if (v.getUint32(runtimePointer + THRESHOLD_OFFSET, true) !== DEFAULT_THRESHOLD) return false;
  if (count === 0 || size !== count * COUNTED_PER_ALLOCATION) return false;
  v.setUint32(runtimePointer + THRESHOLD_OFFSET, NEVER, true);
  return true;
}

/** Collections resume past 1.5 times the heap as it is now, as after a collection. */
export function resumeCollections(memory: Memory, runtimePointer: number): void {
  const v = view(memory);
  const size = v.getUint32(runtimePointer + MALLOC_SIZE_OFFSET, true);
  v.setUint32(runtimePointer + THRESHOLD_OFFSET, Math.min(NEVER, size + Math.floor(size / 2)), true);
}
