import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { combinePartials, defaultQueryPolicy, type PartialAggregate, planQuery, trueValues } from '../src/index.ts';

type Rec = { subject: string; g: string; v: number };

/** One Vault's partial from records (what the enclave computes), values already in fixed point. */
function partialOf(vault: string, records: Rec[]): PartialAggregate {
  const groups = new Map<string, Map<string, [string, number, number]>>();
  for (const r of records) {
    const g = groups.get(r.g) ?? new Map<string, [string, number, number]>();
    groups.set(r.g, g);
    const s = g.get(r.subject) ?? [r.subject, 0, 0];
    s[1] += 1;
    s[2] += r.v;
    g.set(r.subject, s);
  }
  return { vault_id: vault, groups: [...groups].map(([k, m]) => ({ key: [k], subjects: [...m.values()] })) };
}

const rec = fc.record({
  subject: fc.constantFrom('s1', 's2', 's3', 's4', 's5', 's6'),
  g: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'),
  v: fc.integer({ min: -50_000, max: 50_000 }),
});

describe('query sensitivity', () => {
  it('is never below the true L1 change from adding or removing one subject', () => {
    fc.assert(
      fc.property(
        fc.array(rec, { maxLength: 60 }),
        fc.constantFrom('s1', 's2', 's3', 's4', 's5', 's6'),
        fc.integer({ min: -300, max: 0 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 40 }),
        (records, removed, lower, upper, maxGroups, vaults, buckets) => {
          const policy = { ...defaultQueryPolicy(1), max_groups_per_subject: maxGroups, quantile_buckets: buckets };
          const planned = planQuery(
            {
              kind: 'query',
              filter: [],
              group_by: ['g'],
              aggregates: [
                { fn: 'count_distinct_subjects' },
                { fn: 'sum', attribute: 'v', clamp: { lower: String(lower), upper: String(upper) } },
                { fn: 'mean', attribute: 'v', clamp: { lower: String(lower), upper: String(upper) } },
                {
                  fn: 'quantile',
                  attribute: 'v',
                  quantile: '0.5',
                  clamp: { lower: String(lower), upper: String(upper) },
                },
              ],
            },
            policy,
          );
          assert.ok(planned.ok);
          const plan = planned.plan;
          // Records spread over Vaults by position: a subject can sit in several Vaults.
          const split = (rs: Rec[]) =>
            Array.from({ length: vaults }, (_, i) =>
              partialOf(
                `v${i}`,
                rs.filter((_, j) => j % vaults === i),
              ),
            );
          const full = trueValues(plan, combinePartials(split(records), plan.summed.length));
          const neighbour = trueValues(
            plan,
            combinePartials(split(records.filter((r) => r.subject !== removed)), plan.summed.length),
          );
          for (const [ci, c] of plan.components.entries()) {
            const keys = new Set([...full, ...neighbour].map((g) => JSON.stringify(g.key)));
            let l1 = 0;
            for (const k of keys) {
              const a = full.find((g) => JSON.stringify(g.key) === k);
              const b = neighbour.find((g) => JSON.stringify(g.key) === k);
              if (c.kind === 'histogram') {
                // The released vector is every bucket count of every group.
                const ha = a?.histograms?.[ci] ?? [];
                const hb = b?.histograms?.[ci] ?? [];
                for (let i = 0; i < c.layout!.buckets; i++) l1 += Math.abs((ha[i] ?? 0) - (hb[i] ?? 0));
              } else l1 += Math.abs((a?.components[ci] ?? 0) - (b?.components[ci] ?? 0));
            }
            assert.ok(l1 <= c.sensitivity, `component ${ci}: change ${l1} > sensitivity ${c.sensitivity}`);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
