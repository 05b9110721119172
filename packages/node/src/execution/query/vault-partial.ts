/**
 * The per-Vault partial aggregate, computed inside the Vault's enclave over the rows the
 * materializer admitted (consented subjects, granted attributes): the query filter, then per group
 * and per keyed subject pseudonym the record count and the raw totals of the summed attributes in
 * fixed point. It leaves the enclave only sealed to the aggregation enclave.
 *
 * The materializer hands every task over the same snapshot the same frozen rows, so what a row
 * yields regardless of the query (an attribute's comparable form and fixed-point value, a group
 * key) is computed once per rows and attribute and reused by every later query.
 */
import type { Condition, PartialAggregate, PartialGroup, QueryPlan } from '@symphony/protocol';
import { comparableColumn, matchesComparable, type Row } from '../builtin-operators.ts';
import { parseDecimal } from '../decimal.ts';
import { column } from '../row-columns.ts';
import type { PseudonymOf } from './subject-pseudonyms.ts';

type GroupValue = PartialGroup['key'][number];

/** A field value in fixed point (`scale` units per 1), or undefined when it is not a number. */
export function fixedPointOf(value: unknown, scale: number): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.round(value * scale);
  if (typeof value !== 'string') return undefined;
  const micro = parseDecimal(value);
  if (micro === undefined) return undefined;
  return Number((micro * BigInt(scale)) / 1_000_000n);
}

const groupValue = (v: unknown): GroupValue =>
  v === undefined || v === null
    ? null
    : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
      ? v
      : String(v);

/** Computes one Vault's partial from its admitted rows. */
export function computeVaultPartial(
  vault_id: string,
  rows: readonly Row[],
  filter: readonly Condition[],
  plan: QueryPlan,
  referenceMs: number,
  pseudonymOf: PseudonymOf,
): PartialAggregate {
  const groups = new Map<string, { key: GroupValue[]; subjects: Map<string, [string, number, ...number[]]> }>();
  const summed = plan.summed.length;
  const tests = filter.map((c) => ({
    c,
    values: comparableColumn(rows, c.attribute),
  }));
  const totals = plan.summed.map((attr) =>
    column(rows, `f\u0000${plan.value_scale}\u0000${attr}`, (r) => fixedPointOf(r.fields[attr], plan.value_scale) ?? 0),
  );
  const keyTexts = column(rows, `g\u0000${JSON.stringify(plan.group_by)}`, (r) =>
    JSON.stringify(plan.group_by.map((attr) => groupValue(r.fields[attr]))),
  );
  for (let i = 0; i < rows.length; i++) {
    if (!tests.every((t) => matchesComparable(t.values[i]!, t.c, referenceMs))) continue;
    const row = rows[i]!;
    const text = keyTexts[i]!;
    let g = groups.get(text);
    if (!g) {
      g = { key: plan.group_by.map((attr) => groupValue(row.fields[attr])), subjects: new Map() };
      groups.set(text, g);
    }
    const p = pseudonymOf(row.subject);
    let entry = g.subjects.get(p);
    if (!entry) {
      entry = [p, 0, ...new Array<number>(summed).fill(0)];
      g.subjects.set(p, entry);
    }
    entry[1] += 1;
    for (let j = 0; j < summed; j++) entry[2 + j] = (entry[2 + j] as number) + totals[j]![i]!;
  }
  return { vault_id, groups: [...groups.values()].map((g) => ({ key: g.key, subjects: [...g.subjects.values()] })) };
}
