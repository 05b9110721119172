/**
 * The size of a sandbox run's WebAssembly memory as a new memory would have it, whatever memory the
 * run is actually given. A run reports that size as its memory use (`resource_use.memory_bytes`), so
 * it must not depend on earlier runs; with it, a memory that an earlier run grew can be reused
 * (zeroed-memories.ts) instead of each large run paying for a new one (page faults, growth, and V8
 * collecting the dropped memories).
 *
 * How: in QuickJS's emscripten build the memory's size is read in one place only, `sbrk`, which
 * compares the new heap break with `memory.size` and calls emscripten's `emscripten_resize_heap`
 * (the JavaScript import `a.k`) when the break passes it; nothing else grows the memory (no
 * `memory.grow` in the module). {@link withHeapPagesGlobal} makes that one `memory.size` read a
 * mutable global, `scs_heap_pages`, instead; the sandbox then answers `a.k` with emscripten's own
 * growth policy ({@link grownHeapSize}) applied to that global, growing the real memory only when it
 * is smaller. A run thus sees the sizes, growth steps and failures a new memory would give it. The
 * real memory may be larger than the size the run sees; the bytes above it are zero, and QuickJS
 * never touches memory above its heap break.
 *
 * The rewrite applies only to the exact build checked (quickjs-emscripten 0.32.0's release-sync
 * WebAssembly, by SHA-256: its one `memory.size` is in `sbrk`, it has no `memory.grow`, and `a.k`
 * is `emscripten_resize_heap`); for any other bytes it returns undefined and the sandbox keeps a
 * new memory for every run that grew one.
 */
import { createHash } from 'node:crypto';

export const PAGE = 65_536;

/** SHA-256 of `@jitl/quickjs-wasmfile-release-sync@0.32.0/dist/emscripten-module.wasm`. */
const CHECKED_BUILD = '105c3bed22d457e43e3d1c3c1c6959fda62a8fe06f0fc8a985303c3a2be72232';

/**
 * In `sbrk`: `local.get 2; i32.wrap_i64; local.tee 0; memory.size 0; i32.const 16; i32.shl;
 * i32.le_u; br_if 1; local.get 0; call 9` (the break against the memory's size, else the import
 * `a.k`). `memory.size 0` is the two bytes at {@link MEMORY_SIZE_AT}.
 */
const SBRK_SIZE_TEST = [
  0x20, 0x02, 0xa7, 0x22, 0x00, 0x3f, 0x00, 0x41, 0x10, 0x74, 0x4d, 0x0d, 0x01, 0x20, 0x00, 0x10, 0x09,
];
const MEMORY_SIZE_AT = 5;

/** The exported global holding the memory's size in pages as the run sees it. */
export const HEAP_PAGES_EXPORT = 'scs_heap_pages';

const GLOBAL_SECTION = 6;
const EXPORT_SECTION = 7;
const CODE_SECTION = 10;
const I32 = 0x7f;
const MUTABLE = 0x01;
const I32_CONST = 0x41;
const END = 0x0b;
const GLOBAL_GET = 0x23;
const EXPORT_GLOBAL = 0x03;

function readU32(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++] as number;
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [value, at];
    shift += 7;
  }
}

function u32(value: number): number[] {
  const out: number[] = [];
  do {
    const b = value % 128;
    value = Math.floor(value / 128);
    out.push(value > 0 ? b | 0x80 : b);
  } while (value > 0);
  return out;
}

function s32(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (b & 0x40) === 0) || (value === -1 && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

function indexOf(bytes: Uint8Array, pattern: readonly number[], from: number, to: number): number[] {
  const found: number[] = [];
  for (let i = from; i + pattern.length <= to; i++) {
    let j = 0;
    while (j < pattern.length && bytes[i + j] === pattern[j]) j++;
    if (j === pattern.length) found.push(i);
  }
  return found;
}

/**
 * The checked QuickJS build with its one `memory.size` read replaced by `global.get` of a new
 * exported mutable i32 global ({@link HEAP_PAGES_EXPORT}, initially `initialPages`); undefined for
 * any other bytes.
 */
export function withHeapPagesGlobal(wasm: Uint8Array, initialPages: number): Uint8Array | undefined {
  if (createHash('sha256').update(wasm).digest('hex') !== CHECKED_BUILD) return undefined;
  const sections: { id: number; start: number; end: number }[] = [];
  for (let at = 8; at < wasm.length; ) {
    const id = wasm[at] as number;
    const [size, start] = readU32(wasm, at + 1);
    sections.push({ id, start, end: start + size });
    at = start + size;
  }
  const globals = sections.find((s) => s.id === GLOBAL_SECTION);
  const exports = sections.find((s) => s.id === EXPORT_SECTION);
  const code = sections.find((s) => s.id === CODE_SECTION);
  if (!globals || !exports || !code) return undefined;
  const sites = indexOf(wasm, SBRK_SIZE_TEST, code.start, code.end);
  if (sites.length !== 1) return undefined;
  const [globalCount, globalEntries] = readU32(wasm, globals.start);
  // The new global's index must fit `global.get`'s one-byte immediate, so the code keeps its length.
  if (globalCount >= 0x80) return undefined;
  const [exportCount, exportEntries] = readU32(wasm, exports.start);
  const name = [...new TextEncoder().encode(HEAP_PAGES_EXPORT)];

  const globalContent = [
    ...u32(globalCount + 1),
    ...wasm.subarray(globalEntries, globals.end),
    I32,
    MUTABLE,
    I32_CONST,
    ...s32(initialPages),
    END,
  ];
  const exportContent = [
    ...u32(exportCount + 1),
    ...wasm.subarray(exportEntries, exports.end),
    ...u32(name.length),
    ...name,
    EXPORT_GLOBAL,
    ...u32(globalCount),
  ];
  const parts: Uint8Array[] = [wasm.subarray(0, 8)];
  for (const s of sections) {
    const header = (content: number[]) => Uint8Array.from([s.id, ...u32(content.length), ...content]);
    if (s === globals) parts.push(header(globalContent));
    else if (s === exports) parts.push(header(exportContent));
    else {
      const whole = wasm.slice(s.start, s.end);
      const head = Uint8Array.from([s.id, ...u32(s.end - s.start)]);
      if (s === code) whole.set([GLOBAL_GET, globalCount], (sites[0] as number) + MEMORY_SIZE_AT - s.start);
      parts.push(head, whole);
    }
  }
  return Buffer.concat(parts);
}

const HEAP_MAX = 2_147_483_648;
const OVERGROWTH_CAP = 100_663_296;

/**
 * emscripten's `emscripten_resize_heap` as this build has it (`emscripten-module.mjs`, import `a.k`),
 * for a memory of `size` bytes that cannot pass `maximum` bytes: the size it grows to for a heap
 * break of `requested` bytes, or undefined when it cannot grow. It tries 20 %, 10 % and 5 % more
 * than `size` (at most 96 MiB past the request), at least the request, in whole pages, each attempt
 * failing if it passes the maximum.
 */
export function grownHeapSize(size: number, requested: number, maximum: number): number | undefined {
  const request = requested >>> 0;
  if (request > HEAP_MAX) return undefined;
  for (let cutDown = 1; cutDown <= 4; cutDown *= 2) {
    const overGrown = Math.min(size * (1 + 0.2 / cutDown), request + OVERGROWTH_CAP);
    const next = Math.min(HEAP_MAX, PAGE * Math.ceil(Math.max(request, overGrown) / PAGE));
    // WebAssembly.Memory.grow by ((next - size + 65535) / 65536) | 0 pages: refused past the maximum.
    const pages = ((next - size + 65_535) / PAGE) | 0;
    if (pages >= 0 && size + pages * PAGE <= maximum) return size + pages * PAGE;
  }
  return undefined;
}
