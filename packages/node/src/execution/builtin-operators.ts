/**
 * The built-in Compute operators (count, sum, mean, histogram) over a filter on declared
 * attributes. Pure and exact: the same rows and program give the same output bytes. A result
 * resting on fewer than `k_min` distinct data subjects is suppressed whole.
 */
import type { Condition, TaskEnvelope } from '@symphony/protocol';
import { formatDecimal, formatMean, parseDecimal } from './decimal.ts';
import { column, type Row, rememberedFor } from './row-columns.ts';

export type { Row };

export type BuiltinOutput =
  | { operator: 'count'; records: number; subjects: number; value: number }
  | { operator: 'sum' | 'mean'; attribute: string; records: number; subjects: number; value: string }
  | {
      operator: 'histogram';
      attribute: string;
      records: number;
      subjects: number;
      bin_edges: string[];
      counts: number[];
      outside: number;
    }
  | { operator: string; suppressed: true; reason: 'below_k_min' };

export type BuiltinProgram = Extract<
  Extract<TaskEnvelope['spec'], { kind: 'compute' }>['program'],
  { type: 'builtin' }
>;

const DAY_MS = 86_400_000;

/** A field value in comparable form (see `comparable`). */
export type Comparable = bigint | string | boolean | null;

/** A comparable form of a field value: decimals and integers as scaled bigint, timestamps as ms, strings as is. */
export function comparable(value: unknown): Comparable {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value) * 1_000_000n;
  if (typeof value === 'boolean' || value === null) return value;
  if (typeof value !== 'string') return null;
  const d = parseDecimal(value);
  if (d !== undefined) return d;
  if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return BigInt(ms) * 1_000_000n;
  }
  return value;
}

function compare(a: Comparable, b: Comparable): number | undefined {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

/** The comparable form of an attribute for each row (remembered for frozen rows, see `row-columns.ts`). */
export function comparableColumn(rows: readonly Row[], attribute: string): readonly Comparable[] {
  return column(rows, `c\u0000${attribute}`, (r) => comparable(r.fields[attribute]));
}

/** Whether a row satisfies one condition; `referenceMs` anchors relative time windows (the task's admission time). */
export function matches(row: Row, c: Condition, referenceMs: number): boolean {
  return matchesComparable(comparable(row.fields[c.attribute]), c, referenceMs);
}

/** A condition's values in comparable form, parsed once per condition object (specs are never mutated). */
const constantsOf = new WeakMap<
  Condition,
  { values: readonly unknown[]; all: Comparable[]; first: Comparable; second: Comparable }
>();

/** Whether a field value already in comparable form satisfies one condition. */
export function matchesComparable(actual: Comparable, c: Condition, referenceMs: number): boolean {
  if (actual === null) return false;
  let constants = constantsOf.get(c);
  if (!constants) {
    const list = Array.isArray(c.value) ? c.value : [c.value];
    const all = list.map(comparable);
    constants = { values: list, all, first: all[0] ?? null, second: all[1] ?? null };
    constantsOf.set(c, constants);
  }
  const { values, first } = constants;
  switch (c.op) {
    case 'eq':
      return compare(actual, first) === 0 || actual === first;
    case 'ne':
      return !(compare(actual, first) === 0 || actual === first);
    case 'in':
      return constants.all.some((x) => compare(actual, x) === 0 || actual === x);
    case 'gte':
      return (compare(actual, first) ?? -1) >= 0;
    case 'lte':
      return (compare(actual, first) ?? 1) <= 0;
    case 'between':
      return (compare(actual, first) ?? -1) >= 0 && (compare(actual, constants.second) ?? 1) <= 0;
    case 'within_days': {
      const days = typeof values[0] === 'number' ? values[0] : Number.NaN;
      if (!Number.isInteger(days) || typeof actual !== 'bigint') return false;
      const from = BigInt(referenceMs - days * DAY_MS) * 1_000_000n;
      const to = BigInt(referenceMs) * 1_000_000n;
      return actual >= from && actual <= to;
    }
  }
}

/**
 * The indices of the rows that satisfy every condition. Remembered per frozen rows and filter
 * (tasks of one shape over one snapshot select the same rows), unless a condition is a window
 * relative to the task's own reference time.
 */
function selectedIndices(rows: readonly Row[], filter: readonly Condition[], referenceMs: number): readonly number[] {
  const compute = () => {
    const tests = filter.map((c) => ({ c, values: comparableColumn(rows, c.attribute) }));
    const out: number[] = [];
    for (let i = 0; i < rows.length; i++)
      if (tests.every((t) => matchesComparable(t.values[i]!, t.c, referenceMs))) out.push(i);
    return out;
  };
  const key = filter.some((c) => c.op === 'within_days') ? undefined : filterKey(filter);
  return key === undefined ? compute() : rememberedFor(rows, `s\u0000${key}`, compute);
}

/** The JSON text of a filter (what its conditions select by), or undefined when it has none. */
function filterKey(filter: readonly Condition[]): string | undefined {
  try {
    return JSON.stringify(filter);
  } catch {
    return undefined;
  }
}

/** Runs a built-in program over rows that already passed authorization and consent. */
export function runBuiltin(
  program: BuiltinProgram,
  filter: readonly Condition[],
  rows: readonly Row[],
  opts: { referenceMs: number; kMin: number },
): { output: BuiltinOutput; contributors: Map<string, number> } {
  return runBuiltinOnParts(program, filter, [rows], opts);
}

/**
 * `runBuiltin` over the concatenation of `parts` (one per Vault, as the materializer returns
 * them), so each part's columns of comparable values are found again when it is frozen.
 */
export function runBuiltinOnParts(
  program: BuiltinProgram,
  filter: readonly Condition[],
  parts: readonly (readonly Row[])[],
  opts: { referenceMs: number; kMin: number },
): { output: BuiltinOutput; contributors: Map<string, number> } {
  const attribute = program.attribute ?? '';
  const selected: Row[] = [];
  /** The program attribute's comparable value of each selected row (unused by count). */
  const selectedValues: Comparable[] = [];
  for (const rows of parts) {
    const attributeValues = program.operator === 'count' ? undefined : comparableColumn(rows, attribute);
    for (const i of selectedIndices(rows, filter, opts.referenceMs)) {
      selected.push(rows[i]!);
      if (attributeValues) selectedValues.push(attributeValues[i]!);
    }
  }
  const contributors = new Map<string, number>();
  for (const r of selected) contributors.set(r.subject, (contributors.get(r.subject) ?? 0) + 1);
  if (contributors.size < opts.kMin) {
    return { output: { operator: program.operator, suppressed: true, reason: 'below_k_min' }, contributors: new Map() };
  }
  const records = selected.length;
  const subjects = contributors.size;
  const values = () => selectedValues.filter((v): v is bigint => typeof v === 'bigint');
  switch (program.operator) {
    case 'count':
      return { output: { operator: 'count', records, subjects, value: records }, contributors };
    case 'sum':
    case 'mean': {
      const xs = values();
      const sum = xs.reduce((s, x) => s + x, 0n);
      const value = program.operator === 'sum' ? formatDecimal(sum) : xs.length ? formatMean(sum, xs.length) : '0';
      return { output: { operator: program.operator, attribute, records, subjects, value }, contributors };
    }
    case 'histogram': {
      const edges = (program.bin_edges ?? []).map((e) => parseDecimal(e) ?? 0n);
      const counts = new Array<number>(Math.max(0, edges.length - 1)).fill(0);
      let outside = 0;
      for (const x of values()) {
        let bin = -1;
        for (let i = 0; i < counts.length; i++) {
          const last = i === counts.length - 1;
          if (x >= edges[i]! && (x < edges[i + 1]! || (last && x === edges[i + 1]!))) {
            bin = i;
            break;
          }
        }
        if (bin < 0) outside++;
        else counts[bin]!++;
      }
      return {
        output: {
          operator: 'histogram',
          attribute,
          records,
          subjects,
          bin_edges: program.bin_edges ?? [],
          counts,
          outside,
        },
        contributors,
      };
    }
  }
}
