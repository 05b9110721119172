/**
 * WebAssembly memories for the sandbox's instances, each handed out in the state of a new one: its
 * initial size and every byte zero. A memory that a run left at its initial size is zero-filled
 * when the run ends and kept for a later run with the same maximum; a memory that grew is dropped
 * (a memory cannot shrink, and its size is what a run reports as its memory use). Filling 16 MiB
 * that are already mapped costs less than the page faults of a new memory, and the process no
 * longer allocates a new 16 MiB buffer per run for V8 to account and collect.
 *
 * Nothing of a run survives in a kept memory: its instance is dropped with it, no host code calls
 * into that instance after the run (quickjs-emscripten 0.32.0 has no finalizers or timers), and
 * the bytes are zeroed before the memory is kept.
 */

/** The slice of `WebAssembly.Memory` used here. */
export type WasmMemory = { readonly buffer: ArrayBuffer };

/** Memories kept at most, all maxima together (16 MiB each). */
const KEEP = 2;

const CHUNK = 65_536;
const ZEROS = new Uint8Array(CHUNK);

/**
 * Zeroes `bytes`. A run writes from the bottom of its memory up (data, stack, then the heap as it
 * grows), so the chunks above the highest written one are found zero by comparison and left as they
 * are; every byte below is filled.
 */
function zeroFill(bytes: Uint8Array): void {
  let end = bytes.length;
  while (end > 0 && Buffer.compare(bytes.subarray(end - CHUNK, end), ZEROS) === 0) end -= CHUNK;
  bytes.fill(0, 0, end);
}

/** A source of zeroed memories of `initialBytes`, created by `create(maximumPages)` when none is kept. */
export function zeroedMemories(initialBytes: number, create: (maximumPages: number) => WasmMemory) {
  const kept = new Map<number, WasmMemory[]>();
  let count = 0;
  return {
    /** A memory in the state of a new one, of `maximumPages` at most. */
    take(maximumPages: number): WasmMemory {
      const memory = kept.get(maximumPages)?.pop();
      if (memory === undefined) return create(maximumPages);
      count--;
      return memory;
    },
    /** Gives back a memory after its run; it is kept only if it did not grow. */
    give(memory: WasmMemory, maximumPages: number): void {
      if (memory.buffer.byteLength !== initialBytes || count >= KEEP) return;
      zeroFill(new Uint8Array(memory.buffer));
      const list = kept.get(maximumPages) ?? [];
      list.push(memory);
      kept.set(maximumPages, list);
      count++;
    },
  };
}
