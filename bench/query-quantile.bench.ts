/**
 * Utility of the DP quantile (a noisy histogram over the clamp range, read by noisy cumulative
 * counts): for one group of n subjects with distinct per-subject totals spread over the clamp
 * range, the median released at a given ε (the whole query's; the quantile shares it with a count,
 * as `count_distinct_subjects` + `quantile` plans do) and bucket count, over many seeds. Reports
 * the stated 99% rank bound R, the empirical rank error (how many ranks the released bucket is from
 * the exact median's) at p50 and p99, and how often it exceeded R.
 *
 *   npx tsx bench/query-quantile.bench.ts [--seeds 100] [--sizes 1000,10000]
 */
import {
  combinePartials,
  defaultQueryPolicy,
  type PartialAggregate,
  planQuery,
  releaseQuery,
  targetRank,
} from '../packages/protocol/src/index.ts';
import { argValue, percentile } from './bench-util.ts';

const seeds = Number(argValue('--seeds') ?? '100');
const sizes = (argValue('--sizes') ?? '1000,10000').split(',').map(Number);
const spec = {
  kind: 'query' as const,
  filter: [],
  group_by: ['g'],
  aggregates: [
    { fn: 'count_distinct_subjects' as const },
    { fn: 'quantile' as const, attribute: 'x', quantile: '0.5', clamp: { lower: '0', upper: '1000' } },
  ],
};

const rows = [];
for (const n of sizes) {
  // Subject i's total: spread evenly over [0, 1000] (fixed point, scale 100).
  const totals = Array.from({ length: n }, (_, i) => Math.floor((i * 100_000) / n));
  const partial: PartialAggregate = {
    vault_id: 'vlt_q',
    groups: [{ key: ['a'], subjects: totals.map((t, i) => [`p${i}`.padStart(32, '0'), 1, t]) }],
  };
  const sorted = [...totals].sort((a, b) => a - b);
  for (const epsilon of [0.1, 1, 4]) {
    for (const buckets of [8, 32]) {
      const planned = planQuery(spec, {
        ...defaultQueryPolicy(5),
        epsilon_micro: epsilon * 1_000_000,
        quantile_buckets: buckets,
      });
      if (!planned.ok) throw new Error(planned.refusal.code);
      const plan = planned.plan;
      const hist = plan.components[plan.aggregates[1]!.components[0]!]!;
      const layout = hist.layout!;
      const combined = combinePartials([partial], plan.summed.length);
      const k = targetRank(500_000, n);
      const exactBucket = Math.floor((sorted[k - 1]! - layout.lower) / layout.width);
      const errors: number[] = [];
      for (let s = 0; s < seeds; s++) {
        const out = releaseQuery(plan, combined, `seed-${s}`);
        const value = Math.round(Number(out.result.rows[0]!.values[1]!.value) * 100);
        const b = Math.floor((value - layout.lower) / layout.width);
        // Ranks between the exact median and the released bucket (0 when it is the median's bucket).
        const lo = layout.lower + b * layout.width;
        const hi = lo + layout.width - 1;
        const below = sorted.filter((x) => x <= hi).length;
        const atOrAbove = sorted.filter((x) => x < lo).length + 1;
        errors.push(b === exactBucket ? 0 : b < exactBucket ? k - below : atOrAbove - k);
      }
      const R = hist.rank_bound99!;
      const row = {
        n,
        epsilon,
        buckets,
        bucket_width: layout.width / 100,
        rank_bound99: R,
        err_p50: percentile(errors, 50),
        err_p99: percentile(errors, 99),
        over_R: errors.filter((e) => e > R).length,
        'err_p50 / n': +(percentile(errors, 50) / n).toFixed(3),
      };
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  }
}
console.table(rows);
