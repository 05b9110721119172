/**
 * The per-Vault partial aggregate, computed inside the Vault's enclave over the rows the
 * materializer admitted (consented subjects, granted attributes): the query filter, then per group
 * and per keyed subject pseudonym the record count and the raw totals of the summed attributes in
 * fixed point. It leaves the enclave only sealed to the aggregation enclave.
 */
import type { Condition, PartialAggregate, PartialGroup, QueryPlan } from '@symphony/protocol';
import { matches, type Row } from '../builtin-operators.ts';
import { parseDecimal } from '../decimal.ts';
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
  for (const row of rows) {
    if (!filter.every((c) => matches(row, c, referenceMs))) continue;
    const key = plan.group_by.map((attr) => groupValue(row.fields[attr]));
    const text = JSON.stringify(key);
    let g = groups.get(text);
    if (!g) {
      g = { key, subjects: new Map() };
      groups.set(text, g);
    }
    const p = pseudonymOf(row.subject);
    let entry = g.subjects.get(p);
    if (!entry) {
      entry = [p, 0, ...new Array<number>(summed).fill(0)];
      g.subjects.set(p, entry);
    }
    entry[1] += 1;
    for (let i = 0; i < summed; i++)
      entry[2 + i] = (entry[2 + i] as number) + (fixedPointOf(row.fields[plan.summed[i]!], plan.value_scale) ?? 0);
  }
  return { vault_id, groups: [...groups.values()].map((g) => ({ key: g.key, subjects: [...g.subjects.values()] })) };
}
