/** Stable codes of {@link EncodingError}; they cross process boundaries, never rename one. */
export const ENCODING_ERROR_CODES = [
  'non_canonical_value',
  'invalid_amount',
  'invalid_domain_tag',
  'invalid_hex',
  'invalid_leaf_hash',
  'duplicate_leaf_key',
  'invalid_log_entry',
] as const;

/** One of {@link ENCODING_ERROR_CODES}. */
export type EncodingErrorCode = (typeof ENCODING_ERROR_CODES)[number];

/**
 * A value cannot be encoded, parsed or ordered deterministically. `path` is a JSON Pointer
 * (RFC 6901, e.g. `/a/b/0`) to the offending part of the input; `''` is the input itself.
 */
export class EncodingError extends Error {
  override readonly name = 'EncodingError';
  /** Stable machine-readable reason. */
  readonly code: EncodingErrorCode;
  /** JSON Pointer to the offending part of the input (`''` for the whole input). */
  readonly path: string;

  constructor(code: EncodingErrorCode, message: string, path = '') {
    super(path === '' ? message : `${message} at ${path}`);
    this.code = code;
    this.path = path;
  }
}

/** True if the string contains a UTF-16 surrogate that is not part of a pair (not valid Unicode). */
export function hasLoneSurrogate(s: string): boolean {
  return /\p{Cs}/u.test(s);
}

/** JSON Pointer (RFC 6901) of a path of keys. */
function pointer(keys: readonly (string | number)[]): string {
  return keys.map((k) => `/${String(k).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

function reject(keys: readonly (string | number)[], what: string): never {
  throw new EncodingError('non_canonical_value', `cannot canonically encode ${what}`, pointer(keys));
}

const unsupported: Record<string, string> = {
  undefined: 'undefined',
  bigint: 'a bigint (amounts are decimal strings)',
  function: 'a function',
  symbol: 'a symbol',
};

function describeObject(value: object): string {
  if (value instanceof Date) return 'a Date';
  if (value instanceof Map) return 'a Map';
  if (value instanceof Set) return 'a Set';
  if (ArrayBuffer.isView(value)) return 'a typed array or DataView';
  if (value instanceof ArrayBuffer) return 'an ArrayBuffer';
  return 'an object whose prototype is not Object.prototype or null';
}

const ANY_SURROGATE = /[\uD800-\uDFFF]/;

/** A string as JCS writes it (ECMAScript JSON.stringify), refusing lone surrogates. */
function writeString(text: string, keys: readonly (string | number)[], what: string): string {
  if (ANY_SURROGATE.test(text) && hasLoneSurrogate(text)) reject(keys, what);
  return JSON.stringify(text);
}

/** Objects `deepFreeze` froze all the way down: plain data that can never change again. */
const deeplyFrozen = new WeakSet<object>();
/** The canonical text of deeply frozen objects, written once per object and process. */
const frozenText = new WeakMap<object, string>();

/**
 * Freezes a JSON value (plain objects and arrays) all the way down and returns it. Canonical
 * encoding, and so every domain hash, then remembers the text of each frozen object: an object
 * hashed several times (by the writer, by each master's fold) is encoded once. Only for plain
 * data (what `JSON.parse` returns or an event built from literals); the value must not be
 * changed afterwards (it cannot be). Anything else inside is frozen but never remembered.
 */
export function deepFreeze<T>(value: T): T {
  freezeDown(value, new Set());
  return value;
}

/** `deepFreeze`; `visiting` holds the objects being frozen above, so a cycle ends (and is never remembered). */
function freezeDown(value: unknown, visiting: Set<object>): void {
  if (typeof value !== 'object' || value === null || deeplyFrozen.has(value) || visiting.has(value)) return;
  visiting.add(value);
  const proto = Object.getPrototypeOf(value);
  const plain = Array.isArray(value) ? proto === Array.prototype : proto === Object.prototype || proto === null;
  Object.freeze(value);
  let allPlain = plain;
  for (const key of Object.keys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (!descriptor || !('value' in descriptor)) {
      allPlain = false;
      continue;
    }
    const child = descriptor.value as unknown;
    if (typeof child === 'object' && child !== null) {
      freezeDown(child, visiting);
      if (!deeplyFrozen.has(child)) allPlain = false;
    }
  }
  visiting.delete(value);
  if (allPlain) deeplyFrozen.add(value);
}

/** Whether `value` is plain data that `deepFreeze` froze all the way down. */
export function isDeeplyFrozen(value: unknown): boolean {
  return typeof value === 'object' && value !== null && deeplyFrozen.has(value);
}

/**
 * Validates and writes `value` in one walk: RFC 8785 text for null, booleans, well-formed
 * strings, safe integers (not -0), arrays and plain objects (keys in UTF-16 code-unit order,
 * which is what `Array.prototype.sort` compares), and EncodingError `non_canonical_value` for
 * anything else, with the JSON Pointer of the offender. `keys` is the path to `value` (a stack,
 * so no pointer string is built unless one is thrown).
 */
function writeCanonical(value: unknown, keys: (string | number)[], ancestors: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return writeString(value, keys, 'a string with a lone surrogate');
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (Number.isNaN(value)) reject(keys, 'NaN');
      if (!Number.isFinite(value)) reject(keys, 'an infinite number');
      if (!Number.isInteger(value)) reject(keys, 'a non-integer number (amounts are decimal strings)');
      if (!Number.isSafeInteger(value)) reject(keys, 'an integer outside the safe-integer range');
      if (Object.is(value, -0)) reject(keys, '-0');
      return String(value);
    case 'object': {
      if (value === null) return 'null';
      if (deeplyFrozen.has(value)) {
        const known = frozenText.get(value);
        if (known !== undefined) return known;
        const text = writeObject(value, keys, ancestors);
        frozenText.set(value, text);
        return text;
      }
      return writeObject(value, keys, ancestors);
    }
    default:
      return reject(keys, unsupported[typeof value] ?? typeof value);
  }
}

/** `writeCanonical` of a non-null object. */
function writeObject(value: object, keys: (string | number)[], ancestors: Set<object>): string {
  if (ancestors.has(value)) reject(keys, 'a circular reference');
  const proto = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    if (proto !== Array.prototype) reject(keys, 'an array subclass');
    ancestors.add(value);
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      keys.push(i);
      if (!(i in value)) reject(keys, 'a hole in an array');
      text += i === 0 ? writeCanonical(value[i], keys, ancestors) : `,${writeCanonical(value[i], keys, ancestors)}`;
      keys.pop();
    }
    ancestors.delete(value);
    return `${text}]`;
  }
  if (proto !== Object.prototype && proto !== null) reject(keys, describeObject(value));
  if (Object.getOwnPropertySymbols(value).length > 0) reject(keys, 'an object with symbol keys');
  ancestors.add(value);
  const record = value as Record<string, unknown>;
  const names = Object.keys(record);
  if (names.length > 1) names.sort();
  let text = '{';
  for (let i = 0; i < names.length; i++) {
    const key = names[i]!;
    keys.push(key);
    const name = propertyName(key, keys);
    text += `${i === 0 ? '' : ','}${name}:${writeCanonical(record[key], keys, ancestors)}`;
    keys.pop();
  }
  ancestors.delete(value);
  return `${text}}`;
}

/** Written property names, by name: objects of one kind repeat the same few names. */
const writtenNames = new Map<string, string>();
const MAX_WRITTEN_NAMES = 4096;

/** A property name as JCS writes it (remembered for short names, which are most of them). */
function propertyName(key: string, keys: readonly (string | number)[]): string {
  let name = writtenNames.get(key);
  if (name === undefined) {
    name = writeString(key, keys, 'a property name with a lone surrogate');
    if (key.length <= 64) {
      if (writtenNames.size >= MAX_WRITTEN_NAMES) writtenNames.clear();
      writtenNames.set(key, name);
    }
  }
  return name;
}

/**
 * RFC 8785 (JCS) canonical JSON text of `value`. Throws EncodingError `non_canonical_value`
 * (with the JSON Pointer of the first offending part) for anything JSON cannot carry exactly:
 * non-integer or unsafe numbers, -0, NaN/Infinity, undefined (also as a property value),
 * bigint, functions, symbols, Dates, Maps, Sets, typed arrays, class instances, cycles and
 * strings with lone surrogates. Within that domain the text equals the `canonicalize` package's
 * (a property test checks it).
 */
export function canonicalString(value: unknown): string {
  return writeCanonical(value, [], new Set());
}

const utf8 = new TextEncoder();

/** UTF-8 bytes of {@link canonicalString}: what gets hashed and signed. */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8.encode(canonicalString(value));
}
