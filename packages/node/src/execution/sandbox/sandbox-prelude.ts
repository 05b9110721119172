/**
 * The script every sandboxed program runs after, inside the QuickJS context: it pins the clock to
 * the replay context's time, seeds `Math.random` from the replay seed, fences off host names and
 * observably non-deterministic built-ins, and defines the driver that builds the rows, calls the
 * program and serializes its result (a string; 1 for a promise, 2 for no JSON value). Captured built-ins live in closures the program cannot reach.
 */

import { STRING_SEPARATOR } from './sandbox-rows.ts';

/** Host names a program may not even probe: reading one records an escape attempt and throws. */
export const HOST_NAMES = [
  'process',
  'require',
  'module',
  'exports',
  '__dirname',
  '__filename',
  'Buffer',
  'global',
  'fetch',
  'XMLHttpRequest',
  'WebSocket',
  'EventSource',
  'navigator',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'queueMicrotask',
  'performance',
  'console',
  'Deno',
  'Bun',
  'std',
  'os',
  'scriptArgs',
  'print',
  'importScripts',
] as const;

/** Built-ins whose behaviour depends on the garbage collector or on threads: removed and fenced. */
export const NONDETERMINISTIC_NAMES = ['WeakRef', 'FinalizationRegistry', 'SharedArrayBuffer', 'Atomics'] as const;

/**
 * The prelude source. It expects two host functions on `globalThis` before it runs, `__scs_deny`
 * (records `kind:name` on the host and returns nothing) — which it captures and deletes — and
 * leaves two globals, `__scs_rows` (builds the rows) and `__scs_drive` (runs the program over them),
 * that the host captures and deletes before anything else runs.
 */
export function preludeSource(fixedTimeMs: number, seedHex: string): string {
  return compact(source(fixedTimeMs, seedHex));
}

/**
 * Without its comment lines and indentation: QuickJS compiles the prelude in every run, and a
 * quarter of its text is comments (0.53 against 0.69 ms to compile). No line of the prelude starts
 * inside a string or template literal.
 */
function compact(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trimStart())
    .filter((line) => !line.startsWith('//'))
    .join('\n');
}

function source(fixedTimeMs: number, seedHex: string): string {
  return `(() => {
  'use strict';
  const deny = globalThis.__scs_deny;
  delete globalThis.__scs_deny;
  const fence = (name, kind) => {
    delete globalThis[name];
    Object.defineProperty(globalThis, name, {
      configurable: false,
      enumerable: false,
      get() { deny(kind + ':' + name); throw new ReferenceError(name + ' is not available in the sandbox'); },
      set() { deny(kind + ':' + name); throw new ReferenceError(name + ' is not available in the sandbox'); },
    });
  };
  for (const name of ${JSON.stringify(HOST_NAMES)}) fence(name, 'host');
  for (const name of ${JSON.stringify(NONDETERMINISTIC_NAMES)}) fence(name, 'nondeterminism');

  const FIXED = ${JSON.stringify(fixedTimeMs)};
  const RealDate = Date;
  function FixedDate(...args) {
    if (!new.target) return new RealDate(FIXED).toString();
    return args.length === 0 ? new RealDate(FIXED) : new RealDate(...args);
  }
  Object.defineProperty(FixedDate, 'prototype', { value: RealDate.prototype, writable: false });
  Object.defineProperty(RealDate.prototype, 'constructor', { value: FixedDate, writable: true, configurable: true });
  FixedDate.now = () => FIXED;
  FixedDate.parse = RealDate.parse;
  FixedDate.UTC = RealDate.UTC;
  Object.defineProperty(globalThis, 'Date', { value: FixedDate, writable: true, configurable: true, enumerable: false });

  // sfc32 seeded from the first 128 bits of the replay seed.
  const seed = ${JSON.stringify(seedHex)};
  let a = parseInt(seed.slice(0, 8), 16) | 0, b = parseInt(seed.slice(8, 16), 16) | 0;
  let c = parseInt(seed.slice(16, 24), 16) | 0, d = parseInt(seed.slice(24, 32), 16) | 0;
  const random = () => {
    a |= 0; b |= 0; c |= 0; d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) random();
  Object.defineProperty(Math, 'random', { value: random, writable: true, configurable: true, enumerable: false });

  // Rows arrive as a value dictionary (the strings joined by a separator; one JSON string of attribute
  // names, the other values, the row count and the string count) and an Int32Array of indices, one
  // column for the subjects and one per name (see sandbox-rows.ts); a builder generated for the
  // attribute names makes the { subject, fields } rows the program receives. The host builds them
  // before the program's module is evaluated, so none of the program's code has run yet.
  const parse = JSON.parse, stringify = JSON.stringify, Fn = Function, Ints = Int32Array, Arr = Array;
  const isPromise = (v) => v instanceof Promise;
  const toRows = (strings, dictionaryJson, indexBuffer) => {
    const dictionary = parse(dictionaryJson), names = dictionary[0], others = dictionary[1], n = dictionary[2];
    const s = dictionary[3], k = names.length;
    const V = s === 0 ? new Arr(0) : strings.split(${JSON.stringify(STRING_SEPARATOR)});
    if (V.length !== s) throw new Error('the row strings do not match their count');
    for (let i = 0; i < others.length; i++) V[s + i] = others[i];
    let head = 'const c0 = new I(b, 0, n)', fields = '';
    for (let j = 1; j <= k; j++) {
      head += ', c' + j + ' = new I(b, ' + 4 * j * n + ', n)';
      fields += (j > 1 ? ', ' : '') + stringify(names[j - 1]) + ': V[c' + j + '[i]]';
    }
    const build = Fn('V', 'b', 'n', 'A', 'I', head + '; const out = new A(n); for (let i = 0; i < n; i++) out[i] = { subject: V[c0[i]], fields: { ' + fields + ' } }; return out;');
    return build(V, indexBuffer, n, Arr, Ints);
  };
  // The rows stay referenced here until the instance is dropped: freeing them object by object
  // would be work for nothing, since the whole WebAssembly instance is discarded after the run.
  let retained;
  globalThis.__scs_rows = (strings, dictionaryJson, indexBuffer) => {
    retained = toRows(strings, dictionaryJson, indexBuffer);
  };
  globalThis.__scs_drive = (run, ctxJson) => {
    const out = run(retained, parse(ctxJson));
    if (isPromise(out)) return 1;
    const text = stringify(out);
    return typeof text === 'string' ? text : 2;
  };
})();`;
}
