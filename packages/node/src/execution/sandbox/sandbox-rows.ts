/**
 * How a task's rows cross into the sandbox: a value dictionary and an index table instead of the
 * rows themselves. Every distinct primitive value (a subject, a category, an amount...) is written
 * once into one small JSON array, parsed once inside QuickJS; each row is then `1 + attributes`
 * 32-bit indices into it (stored column by column), copied into the WebAssembly memory as one ArrayBuffer. Inside, a builder
 * generated for the attribute names makes the `{ subject, fields }` rows the program receives, equal
 * to what a JSON round trip of the rows would give (a missing attribute reads `null`).
 *
 * Receipt-like rows repeat most of their values (subjects, categories, amounts, days), so this is a
 * fraction of the JSON text QuickJS would otherwise have to scan. Objects and arrays are never
 * shared between rows: each keeps its own entry, so a program mutating one row's value cannot
 * reach another row's.
 */
import type { Row } from '../builtin-operators.ts';

/**
 * The encoded rows: `dictionaryJson` is `[names, values, rowCount]`; `indices` holds one column of `rowCount`
 * indices for the subjects, then one per attribute (column-major: QuickJS reads `column[i]` faster
 * than `table[p + j]`).
 */
export type EncodedRows = { dictionaryJson: string; indices: Int32Array; rowCount: number };

const BIG_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 0;
const swap32 = (x: number) => ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);

/** Encodes rows deterministically: names in first-seen order, values column by column in first-seen order. */
export function encodeRows(rows: readonly Row[]): EncodedRows {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const r of rows)
    for (const k of Object.keys(r.fields))
      if (!seen.has(k)) {
        seen.add(k);
        names.push(k);
      }
  const values: unknown[] = [];
  const width = names.length + 1;
  const indices = new Int32Array(rows.length * width);
  // Column by column, each with its own dictionary: a tight loop over one kind of value.
  for (let c = 0; c < width; c++) {
    const name = names[c - 1];
    const strings = new Map<string, number>();
    const others = new Map<string, number>();
    for (let i = 0, p = c * rows.length; i < rows.length; i++, p++) {
      const row = rows[i] as Row;
      const v = name === undefined ? row.subject : row.fields[name];
      let x: number | undefined;
      if (typeof v === 'string') {
        x = strings.get(v);
        if (x === undefined) {
          x = values.push(v) - 1;
          strings.set(v, x);
        }
      } else if (v !== null && typeof v === 'object') x = values.push(v) - 1;
      else {
        // Numbers, booleans, null and missing values by their JSON text, as a JSON round trip leaves them.
        const key = JSON.stringify(v) ?? 'null';
        x = others.get(key);
        if (x === undefined) {
          x = values.push(v ?? null) - 1;
          others.set(key, x);
        }
      }
      indices[p] = x;
    }
  }
  // WebAssembly memory is little-endian whatever the host is.
  if (BIG_ENDIAN_HOST) for (let p = 0; p < indices.length; p++) indices[p] = swap32(indices[p] as number);
  return { dictionaryJson: JSON.stringify([names, values, rows.length]), indices, rowCount: rows.length };
}
