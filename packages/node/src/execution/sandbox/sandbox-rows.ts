/**
 * How a task's rows cross into the sandbox: value dictionaries and an index table instead of the
 * rows themselves. Every distinct primitive value of a column (a subject, a category, an amount...)
 * is written once (but the strings of a column that looks all distinct are written once per row
 * without looking them up); each row is then `1 + attributes` 32-bit indices into the dictionary
 * (stored column by column), copied into the WebAssembly memory as one ArrayBuffer. Strings cross as
 * one text joined by a separator, which QuickJS splits in C (a few times faster than parsing them as
 * JSON strings); every other value, and the rare string holding the separator or a lone surrogate,
 * crosses in one small JSON array. Inside, a builder generated for the attribute names makes the
 * `{ subject, fields }` rows the program receives, equal to what a JSON round trip of the rows would
 * give (a missing attribute reads `null`).
 *
 * Receipt-like rows repeat most of their values (subjects, categories, amounts, days), so this is a
 * fraction of the JSON text QuickJS would otherwise have to scan. Objects and arrays are never
 * shared between rows: each keeps its own entry, so a program mutating one row's value cannot
 * reach another row's.
 */
import type { Row } from '../builtin-operators.ts';

/**
 * The encoded rows. The dictionary is `strings` (`stringCount` of them, joined by
 * {@link STRING_SEPARATOR}) followed by `values`; `dictionaryJson` is `[names, values, rowCount,
 * stringCount]`. `indices` holds one column of `rowCount` indices for the subjects, then one per
 * attribute (column-major: QuickJS reads `column[i]` faster than `table[p + j]`).
 */
export type EncodedRows = { strings: string; dictionaryJson: string; indices: Int32Array; rowCount: number };

/**
 * Joins the dictionary's strings. Not NUL, which would end the string where it crosses as C text;
 * a string holding it crosses as JSON instead.
 */
export const STRING_SEPARATOR = '\u0001';

const isWellFormed = (s: string) => (s as unknown as { isWellFormed(): boolean }).isWellFormed();
/** Whether a string can cross in the joined text: no separator in it and no lone surrogate. */
const joinable = (s: string) => !s.includes(STRING_SEPARATOR) && isWellFormed(s);

const BIG_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 0;
const swap32 = (x: number) => ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);

/** Values sampled from a string column to tell whether it repeats any (see {@link encodeRows}). */
const SAMPLE = 512;

/**
 * Whether a column's strings look all distinct: none repeats among {@link SAMPLE} of them at
 * pseudo-random positions (a fixed sequence: the encoding depends on the rows only). Looking each
 * value up in a dictionary costs more than writing it again when none repeats, as for timestamps or
 * identifiers; in a column with repeats, a random sample this size finds one unless there are few
 * (about 3 expected where 40% of 10^5 values are distinct, 26 where 5%).
 */
function looksDistinct(rows: readonly Row[], name: string | undefined): boolean {
  const n = rows.length;
  if (n < 2 * SAMPLE) return false;
  const seen = new Map<string, number>();
  let state = 0x9e3779b9;
  for (let k = 0; k < SAMPLE; k++) {
    // xorshift32
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const i = (state >>> 0) % n;
    const row = rows[i] as Row;
    const v = name === undefined ? row.subject : row.fields[name];
    if (typeof v !== 'string') continue;
    // The same row drawn twice is no repeat.
    const at = seen.get(v);
    if (at !== undefined && at !== i) return false;
    seen.set(v, i);
  }
  return true;
}

/**
 * Encodes rows deterministically: names in first-seen order, values column by column in first-seen
 * order. Equal strings in a column share one entry unless the column looks all distinct (then each
 * keeps its own, as objects and arrays always do); equal numbers, booleans and nulls share one.
 */
export function encodeRows(rows: readonly Row[]): EncodedRows {
  const names: string[] = [];
  const seen = new Set<string>();
  // Own enumerable keys in Object.keys order, without an array per row.
  for (const r of rows) {
    const fields = r.fields;
    for (const k in fields)
      if (!seen.has(k) && Object.hasOwn(fields, k)) {
        seen.add(k);
        names.push(k);
      }
  }
  const strings: string[] = [];
  // Every other value; indexed -1, -2... until the strings are counted (then after them).
  const values: unknown[] = [];
  const width = names.length + 1;
  const indices = new Int32Array(rows.length * width);
  // Column by column, each with its own dictionary: a tight loop over one kind of value.
  for (let c = 0; c < width; c++) {
    const name = names[c - 1];
    const known = looksDistinct(rows, name) ? undefined : new Map<string, number>();
    // Numbers, booleans, null and missing values by value: Map keys compare as SameValueZero, so
    // only values with the same JSON text share an entry (0 and -0 write 0; NaN, null and missing
    // values write null, as a JSON round trip leaves them).
    const others = new Map<unknown, number>();
    for (let i = 0, p = c * rows.length; i < rows.length; i++, p++) {
      const row = rows[i] as Row;
      const v = name === undefined ? row.subject : row.fields[name];
      let x: number | undefined;
      if (typeof v === 'string') {
        x = known?.get(v);
        if (x === undefined) {
          x = joinable(v) ? strings.push(v) - 1 : -values.push(v);
          known?.set(v, x);
        }
      } else if (v !== null && typeof v === 'object') x = -values.push(v);
      else {
        x = others.get(v);
        if (x === undefined) {
          x = -values.push(v ?? null);
          others.set(v, x);
        }
      }
      indices[p] = x;
    }
  }
  const stringCount = strings.length;
  for (let p = 0; p < indices.length; p++) {
    const x = indices[p] as number;
    if (x < 0) indices[p] = stringCount - 1 - x;
  }
  // WebAssembly memory is little-endian whatever the host is.
  if (BIG_ENDIAN_HOST) for (let p = 0; p < indices.length; p++) indices[p] = swap32(indices[p] as number);
  return {
    strings: strings.join(STRING_SEPARATOR),
    dictionaryJson: JSON.stringify([names, values, rows.length, stringCount]),
    indices,
    rowCount: rows.length,
  };
}
