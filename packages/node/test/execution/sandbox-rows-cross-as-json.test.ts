/**
 * Rows cross into the sandbox as a value dictionary and an index table (sandbox-rows.ts): the
 * program must see exactly what a JSON round trip of the rows gives, whatever the values' types,
 * with shared values never shared as objects and prototype tampering by the program's module code
 * unable to change the rows it receives.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Row } from '../../src/execution/builtin-operators.ts';
import { DEFAULT_SANDBOX_LIMITS, runSandboxed } from '../../src/execution/sandbox/quickjs-sandbox.ts';
import { type EncodedRows, encodeRows, STRING_SEPARATOR } from '../../src/execution/sandbox/sandbox-rows.ts';
import { sandboxContext } from '../support/sandbox-context.ts';

const ctx = sandboxContext('tsk_rows');
const echo = 'export default function run(rows) { return rows }';

/** The dictionary an encoding's indices point into: its joined strings, then its other values. */
function dictionary(encoded: EncodedRows): { names: string[]; values: unknown[]; count: number } {
  const [names, others, count, stringCount] = JSON.parse(encoded.dictionaryJson) as [
    string[],
    unknown[],
    number,
    number,
  ];
  const strings = stringCount === 0 ? [] : encoded.strings.split(STRING_SEPARATOR);
  assert.equal(strings.length, stringCount);
  return { names, values: [...strings, ...others], count };
}

const rows: Row[] = [
  { subject: 'act_a', fields: { category: 'coffee', total_amount: '4.50', n: 3, ok: true, tags: ['x', 'y'] } },
  { subject: 'act_b', fields: { category: 'coffee', total_amount: '4.50', n: 3, ok: false, meta: { k: 'é✓' } } },
  { subject: 'act_a', fields: { total_amount: '12.00', n: -0.5, missing: undefined, nan: Number.NaN } },
  { subject: 'act_c', fields: { category: 'grocery', n: null, tags: ['x', 'y'], 'odd key': '"quoted"\n' } },
  { subject: 'act_c', fields: {} },
  // Strings that cannot cross in the joined text (the separator, a lone surrogate) cross as JSON.
  { subject: `act_${STRING_SEPARATOR}d`, fields: { category: `a${STRING_SEPARATOR}b`, total_amount: '', n: 1 } },
  { subject: 'act_\ud800', fields: { category: 'x\udfff', 'odd key': STRING_SEPARATOR } },
];

describe('sandbox rows crossing', () => {
  it('gives the program what a JSON round trip of the rows gives (missing attributes read null)', async () => {
    const names = ['category', 'total_amount', 'n', 'ok', 'tags', 'meta', 'missing', 'nan', 'odd key'];
    const expected = rows.map((r) => ({
      subject: r.subject,
      fields: Object.fromEntries(names.map((k) => [k, r.fields[k] ?? null])),
    }));
    const run = await runSandboxed(echo, rows, ctx);
    assert.equal(run.outputJson, JSON.stringify(JSON.parse(JSON.stringify(expected))));
  });

  it('writes each distinct primitive once per column, objects once per row', () => {
    const encoded = encodeRows(rows);
    const { names, values, count } = dictionary(encoded);
    assert.equal(count, rows.length);
    assert.equal(encoded.indices.length, rows.length * (names.length + 1));
    const subjects = [...encoded.indices.subarray(0, rows.length)].map((i) => values[i]);
    assert.deepEqual(subjects, ['act_a', 'act_b', 'act_a', 'act_c', 'act_c', `act_${STRING_SEPARATOR}d`, 'act_\ud800']);
    assert.equal(values.filter((v) => v === 'act_a').length, 1);
    // The two equal `tags` arrays stay two values.
    assert.equal(values.filter((v) => JSON.stringify(v) === '["x","y"]').length, 2);
  });

  it('writes the strings of a column that looks all distinct once per row, and crosses them intact', async () => {
    const many: Row[] = Array.from({ length: 3000 }, (_, i) => ({
      subject: `act_${i % 40}`,
      fields: { id: `rcp_${i}`, n: i % 7 === 0 ? -0 : i % 5, nan: i % 2 ? Number.NaN : null, at: `t${i % 1500}` },
    }));
    const encoded = encodeRows(many);
    const { names, values } = dictionary(encoded);
    assert.deepEqual(names, ['id', 'n', 'nan', 'at']);
    const n = many.length;
    const column = (c: number) => [...encoded.indices.subarray(c * n, (c + 1) * n)];
    // Distinct ids: one entry per row, in row order. Repeating subjects and times: one per value.
    assert.deepEqual(
      column(1),
      Array.from({ length: n }, (_, i) => (column(1)[0] as number) + i),
    );
    assert.equal(new Set(column(0)).size, 40);
    assert.equal(new Set(column(4)).size, 1500);
    // Numbers by value: 0 and -0 share one entry (both write 0); NaN and null write null.
    assert.equal(new Set(column(2)).size, 5);
    assert.equal(values.length, 40 + n + 5 + 2 + 1500);
    const run = await runSandboxed(echo, many, ctx);
    assert.equal(run.outputJson, JSON.stringify(JSON.parse(JSON.stringify(many))));
  });

  it('does not share objects between rows', async () => {
    const source = `export default function run(rows) {
      rows[0].fields.tags.push('z');
      return rows[3].fields.tags.length;
    }`;
    const run = await runSandboxed(source, rows, ctx);
    assert.equal(run.outputJson, '2');
  });

  it('builds rows with the built-ins captured before the program ran', async () => {
    const source = `
      Int32Array.prototype.subarray = () => { throw new Error('tampered') };
      Array.prototype.map = () => { throw new Error('tampered') };
      Array.prototype[Symbol.iterator] = function* () {};
      JSON.parse = () => { throw new Error('tampered') };
      globalThis.Array = function () { throw new Error('tampered') };
      Function.prototype.constructor = null;
      export default function run(rows) { let n = 0; for (let i = 0; i < rows.length; i++) n += rows[i].subject.length; return n }`;
    const run = await runSandboxed(source, rows, ctx);
    assert.equal(run.outputJson, String(rows.reduce((n, r) => n + r.subject.length, 0)));
  });

  it('runs over no rows at all', async () => {
    const run = await runSandboxed(echo, [], ctx, DEFAULT_SANDBOX_LIMITS);
    assert.equal(run.outputJson, '[]');
  });
});
