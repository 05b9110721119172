/**
 * Quantiles: without noise (threshold-only policy) the released bucket is exactly the one holding
 * the plain `percentile_disc` of the clamped per-subject totals; with noise the released value lies
 * within the stated bound (bucket width around the values at ranks k ± rank_bound99) at least as
 * often as the 99% it promises; and the plan refuses quantiles without a clamp or a valid q.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  combinePartials,
  defaultQueryPolicy,
  type PartialAggregate,
  planQuery,
  type QueryPolicy,
  releaseQuery,
  targetRank,
  thresholdOnlyPolicy,
} from '../src/index.ts';

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rec = { subject: string; g: string; v: number };

/** Records split over two Vaults (a subject may be in both), values fixed point (x100). */
function partials(records: Rec[]): PartialAggregate[] {
  return [0, 1].map((vault) => {
    const groups = new Map<string, Map<string, [string, number, number]>>();
    for (const [i, r] of records.entries()) {
      if (i % 2 !== vault) continue;
      const g = groups.get(r.g) ?? new Map<string, [string, number, number]>();
      groups.set(r.g, g);
      const s = g.get(r.subject) ?? [r.subject, 0, 0];
      s[1] += 1;
      s[2] += r.v;
      g.set(r.subject, s);
    }
    return { vault_id: `v${vault}`, groups: [...groups].map(([k, m]) => ({ key: [k], subjects: [...m.values()] })) };
  });
}

/** Plain computation: per group, the sorted clamped per-subject totals (G large: no bounding). */
function plainSorted(records: Rec[], lower: number, upper: number): Map<string, number[]> {
  const totals = new Map<string, Map<string, number>>();
  for (const r of records) {
    const m = totals.get(r.g) ?? new Map<string, number>();
    totals.set(r.g, m);
    m.set(r.subject, (m.get(r.subject) ?? 0) + r.v);
  }
  const out = new Map<string, number[]>();
  for (const [g, m] of totals)
    out.set(
      g,
      [...m.values()].map((v) => Math.min(upper, Math.max(lower, v))).sort((a, b) => a - b),
    );
  return out;
}

const spec = (q: string[], lower: string, upper: string) => ({
  kind: 'query' as const,
  filter: [],
  group_by: ['g'],
  aggregates: q.map((quantile) => ({ fn: 'quantile' as const, attribute: 'v', quantile, clamp: { lower, upper } })),
});

function dataset(rand: () => number, subjects: number): Rec[] {
  const records: Rec[] = [];
  for (let i = 0; i < subjects * 3; i++)
    records.push({
      subject: `s${Math.floor(rand() * subjects)}`,
      g: ['a', 'b', 'c'][Math.floor(rand() * 3)]!,
      v: Math.floor(rand() * 40_000) - 5_000,
    });
  return records;
}

const Q = ['0', '0.1', '0.25', '0.5', '0.9', '1'];

/** Checks every released quantile against the plain values; returns [checked, outside the bound]. */
function check(policy: QueryPolicy, records: Rec[], seed: string): [number, number] {
  const planned = planQuery(spec(Q, '-20', '250'), policy);
  assert.ok(planned.ok);
  const plan = planned.plan;
  assert.equal(plan.components.length, 1, 'quantiles of one attribute and clamp share one histogram');
  const released = releaseQuery(plan, combinePartials(partials(records), plan.summed.length), seed);
  const sorted = plainSorted(records, -2000, 25_000);
  let checked = 0;
  let outside = 0;
  for (const row of released.result.rows) {
    const xs = sorted.get(row.group.g as string)!;
    const n = xs.length;
    for (const v of row.values) {
      const value = Math.round(Number(v.value) * 100);
      const w = Math.round(Number(v.bound99) * 100);
      const k = targetRank(Math.round(Number(v.quantile) * 1e6), n);
      const R = v.rank_bound99!;
      const at = (r: number) => (r < 1 ? -2000 : r > n ? 25_000 : xs[r - 1]!);
      checked++;
      if (R === 0) {
        // Noise off: the bucket of the released value holds percentile_disc exactly.
        const bucket = (x: number) => Math.floor((x + 2000) / w);
        assert.equal(bucket(value), bucket(at(k)), `q ${v.quantile} of ${row.group.g}`);
      }
      if (value < at(k - R) - w || value > at(k + R) + w) outside++;
    }
  }
  return [checked, outside];
}

describe('query quantiles', () => {
  it('without noise, release the bucket holding percentile_disc of the clamped per-subject totals', () => {
    const rand = prng(3);
    for (let trial = 0; trial < 20; trial++) {
      const [checked, outside] = check(thresholdOnlyPolicy(1), dataset(rand, 40 + trial * 10), `t${trial}`);
      assert.ok(checked > 0);
      assert.equal(outside, 0);
    }
  });

  it('with noise, hold the stated 99% bound', () => {
    const rand = prng(5);
    // A generous ε so the rank bound is narrower than the groups (the bound holds at any ε).
    const policy: QueryPolicy = { ...defaultQueryPolicy(5), epsilon_micro: 1_000_000, max_groups_per_subject: 1 };
    let checked = 0;
    let outside = 0;
    let narrow = 0;
    for (let trial = 0; trial < 60; trial++) {
      const records = dataset(rand, 600);
      const [c, o] = check(policy, records, `n${trial}`);
      checked += c;
      outside += o;
      const planned = planQuery(spec(Q, '-20', '250'), policy);
      assert.ok(planned.ok);
      if (planned.plan.components[0]!.rank_bound99! < 100) narrow++;
    }
    assert.ok(narrow > 0, 'the rank bound is informative at this ε');
    assert.ok(checked >= 600, `${checked} checked`);
    assert.ok(outside / checked <= 0.01, `${outside} of ${checked} outside the stated bound`);
  });

  it('refuses a quantile without a clamp or with q outside [0, 1], and shares ε with the other components', () => {
    const policy = defaultQueryPolicy(5);
    const bad = (a: object) => planQuery({ kind: 'query', filter: [], group_by: [], aggregates: [a as never] }, policy);
    const noClamp = bad({ fn: 'quantile', attribute: 'v', quantile: '0.5' });
    assert.ok(!noClamp.ok && noClamp.refusal.code === 'missing_clamp');
    for (const quantile of ['1.5', '-0.1', 'x', undefined]) {
      const r = bad({ fn: 'quantile', attribute: 'v', quantile, clamp: { lower: '0', upper: '10' } });
      assert.ok(!r.ok && r.refusal.code === 'invalid_quantile' && r.refusal.field === 'spec.aggregates[0].quantile');
    }
    const ident = bad({ fn: 'quantile', attribute: 'email', quantile: '0.5', clamp: { lower: '0', upper: '1' } });
    assert.ok(!ident.ok && ident.refusal.code === 'identifying_aggregate');
    const planned = planQuery(
      {
        kind: 'query',
        filter: [],
        group_by: [],
        aggregates: [
          { fn: 'count_distinct_subjects' },
          { fn: 'quantile', attribute: 'v', quantile: '0.5', clamp: { lower: '0', upper: '10' } },
        ],
      },
      policy,
    );
    assert.ok(planned.ok);
    const [count, histogram] = planned.plan.components;
    // Two components, ε split in two: a histogram bucket has the count's scale (sensitivity G each).
    assert.deepEqual(histogram!.scale, count!.scale);
    assert.equal(histogram!.sensitivity, policy.max_groups_per_subject);
    assert.deepEqual(histogram!.layout, { lower: 0, upper: 1000, width: 32, buckets: 32 });
  });
});
