/**
 * Copies strings into a QuickJS instance's WebAssembly heap with Node's native UTF-8 encoder instead
 * of emscripten's `lengthBytesUTF8`/`stringToUTF8`, which walk the string one code unit at a time in
 * JavaScript (for the rows' value dictionary, as long as the host's own encoding of the rows).
 *
 * quickjs-emscripten (pinned at 0.32.0) copies every string it hands to QuickJS (`newString`,
 * `evalCode`) through those two functions of its emscripten module, so they are replaced on this
 * run's module object only. Only well-formed strings take the native path: the two encoders agree
 * byte for byte on them, while a lone surrogate (which emscripten writes as is and Node replaces by
 * U+FFFD) keeps emscripten's own path. If the module does not have the expected shape, nothing is
 * replaced and emscripten's path is used for everything.
 */
type EmscriptenStrings = {
  lengthBytesUTF8(s: string): number;
  stringToUTF8(s: string, ptr: number, maxBytesToWrite: number): number;
};
type WasmMemory = { readonly buffer: ArrayBuffer };

const encoder = new TextEncoder();
const isWellFormed = (s: string) => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/** Replaces the string copy of the emscripten module held by `quickjsModule` (a QuickJSWASMModule). */
export function useNativeHeapStrings(quickjsModule: object, memory: WasmMemory): void {
  const module = (quickjsModule as { module?: Partial<EmscriptenStrings> }).module;
  if (
    typeof module?.lengthBytesUTF8 !== 'function' ||
    typeof module.stringToUTF8 !== 'function' ||
    typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed !== 'function'
  )
    return;
  const length = module.lengthBytesUTF8.bind(module);
  const copy = module.stringToUTF8.bind(module);
  module.lengthBytesUTF8 = (s) => (isWellFormed(s) ? Buffer.byteLength(s, 'utf8') : length(s));
  module.stringToUTF8 = (s, ptr, maxBytesToWrite) => {
    if (maxBytesToWrite <= 0 || !isWellFormed(s)) return copy(s, ptr, maxBytesToWrite);
    // The buffer is read on every call: it is replaced whenever the memory grows.
    const heap = new Uint8Array(memory.buffer, ptr, maxBytesToWrite);
    const { read, written } = encoder.encodeInto(s, heap.subarray(0, maxBytesToWrite - 1));
    // A string cut short would split differently from emscripten's (which stops at a code point too,
    // but the caller always gives room for the whole string): keep emscripten's path for it.
    if (read !== s.length) return copy(s, ptr, maxBytesToWrite);
    heap[written] = 0;
    return written;
  };
}
