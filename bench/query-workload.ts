/**
 * The workload both query benches run: one grouped aggregate (distinct-subject count, clamped sum,
 * clamped mean, a range filter) over records `i` whose group and amount are simple formulas of `i`
 * (the same in JS and in SQL), 1 subject per 10 records, 50 groups; and the keyed pseudonyms the
 * enclaves would compute (a fixed bench key).
 */
import { createHmac } from 'node:crypto';
import { defaultQueryPolicy, planQuery } from '../packages/protocol/src/index.ts';

export const spec = {
  kind: 'query' as const,
  filter: [{ attribute: 'amount', op: 'between' as const, value: ['1', '90'] }],
  group_by: ['g'],
  aggregates: [
    { fn: 'count_distinct_subjects' as const },
    { fn: 'sum' as const, attribute: 'amount', clamp: { lower: '0', upper: '200' } },
    { fn: 'mean' as const, attribute: 'amount', clamp: { lower: '0', upper: '200' } },
  ],
};

const planned = planQuery(spec, defaultQueryPolicy(5));
if (!planned.ok) throw new Error(planned.refusal.code);
export const plan = planned.plan;

const pseudonyms = new Map<string, string>();
export const pseudonymOf = (s: string) => {
  let p = pseudonyms.get(s);
  if (!p) {
    p = createHmac('sha256', 'bench-pseudonym-key').update(s).digest('hex').slice(0, 32);
    pseudonyms.set(s, p);
  }
  return p;
};

/** Subjects among n records (1 per 10). */
export const subjectsOf = (n: number) => Math.max(1, Math.floor(n / 10));

/** Empties the pseudonym memory (each measured size starts without it). */
export const forgetPseudonyms = () => pseudonyms.clear();
