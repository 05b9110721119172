/**
 * WebAssembly memories for the sandbox's instances, each handed out with every byte zero. A memory
 * is zero-filled when its run ends and kept for a later run with the same maximum. A memory cannot
 * shrink: one that grew is kept only up to the size the caller allows, which is more than the
 * initial size only when runs see their memory's size as a new memory would have it, whatever the
 * real size (fresh-heap-size.ts); otherwise a memory that grew is dropped, since its size is what a
 * run reports as its memory use. Filling memory that is already mapped costs less than the page
 * faults and growth of a new memory, and the process no longer allocates a new buffer per run for
 * V8 to account and collect.
 *
 * Nothing of a run survives in a kept memory: its instance is dropped with it, no host code calls
 * into that instance after the run (quickjs-emscripten 0.32.0 has no finalizers or timers), and
 * the bytes are zeroed before the memory is kept.
 */

/** The slice of `WebAssembly.Memory` used here. */
export type WasmMemory = { readonly buffer: ArrayBuffer };

/** Memories kept at most, all maxima together. */
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
  // Oldest first: a memory given back when KEEP are kept takes the place of the oldest.
  const kept: { memory: WasmMemory; maximumPages: number }[] = [];
  return {
    /** A memory with every byte zero, of `maximumPages` at most, at its initial size or larger. */
    take(maximumPages: number): WasmMemory {
      const at = kept.findLastIndex((k) => k.maximumPages === maximumPages);
      if (at < 0) return create(maximumPages);
      return (kept.splice(at, 1)[0] as { memory: WasmMemory }).memory;
    },
    /** Gives back a memory after its run; it is kept only if it is at most `keepBytes` large. */
    give(memory: WasmMemory, maximumPages: number, keepBytes = initialBytes): void {
      if (memory.buffer.byteLength > keepBytes) return;
      zeroFill(new Uint8Array(memory.buffer));
      kept.push({ memory, maximumPages });
      if (kept.length > KEEP) kept.shift();
    },
  };
}
