/** Seeded random query specs over the flights domain, for the oracle tests. */
import type { Condition } from '@symphony/protocol';
import type { Flight } from './flights-fixture.ts';
import type { OracleQuery } from './oracle-sql.ts';

export type GeneratedQuery = {
  oracle: OracleQuery;
  spec: {
    kind: 'query';
    filter: Condition[];
    group_by: string[];
    aggregates: (
      | { fn: 'count_distinct_subjects' }
      | { fn: 'sum' | 'mean'; attribute: string; clamp: { lower: string; upper: string } }
      | { fn: 'quantile'; attribute: string; quantile: string; clamp: { lower: string; upper: string } }
    )[];
  };
};

const GROUPINGS: OracleQuery['group_by'][] = [['origin'], ['destination'], ['month'], ['origin', 'month'], []];

export function randomQuery(rand: () => number, flights: readonly Flight[]): GeneratedQuery {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const origins = [...new Set(flights.map((f) => f.origin))].sort();
  const filter: Condition[] = [];
  if (rand() < 0.4) {
    const lo = 100 * Math.floor(rand() * 10);
    filter.push({
      attribute: 'distance',
      op: 'between',
      value: [String(lo), String(lo + 300 + 100 * Math.floor(rand() * 15))],
    });
  }
  if (rand() < 0.3)
    filter.push({ attribute: 'origin', op: 'in', value: Array.from({ length: 12 }, () => pick(origins)) });
  if (rand() < 0.25) filter.push({ attribute: 'month', op: 'eq', value: pick(['2001-01', '2001-02', '2001-03']) });
  if (rand() < 0.25) filter.push({ attribute: 'delay', op: 'gte', value: String(Math.floor(rand() * 30) - 10) });
  if (rand() < 0.15)
    filter.push({
      attribute: 'flown_at',
      op: 'between',
      value: ['2001-01-15T00:00:00.000Z', '2001-03-10T00:00:00.000Z'],
    });
  const group_by = pick(GROUPINGS);
  const dLo = -Math.floor(rand() * 60);
  const dHi = 30 + Math.floor(rand() * 200);
  const sHi = 500 + Math.floor(rand() * 3000);
  // Dyadic q: q·n is exact in floating point, as PostgreSQL's percentile_disc computes it.
  const q = pick(['0', '0.125', '0.25', '0.5', '0.75', '0.875', '1']);
  return {
    oracle: {
      filter,
      group_by,
      delay: { lower: dLo * 100, upper: dHi * 100 },
      distance: { lower: 0, upper: sHi * 100 },
      delay_q: q,
    },
    spec: {
      kind: 'query',
      filter,
      group_by: [...group_by],
      aggregates: [
        { fn: 'count_distinct_subjects' },
        { fn: 'sum', attribute: 'delay', clamp: { lower: String(dLo), upper: String(dHi) } },
        { fn: 'mean', attribute: 'distance', clamp: { lower: '0', upper: String(sHi) } },
        { fn: 'quantile', attribute: 'delay', quantile: q, clamp: { lower: String(dLo), upper: String(dHi) } },
      ],
    },
  };
}
