import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalBytes,
  combinePartials,
  defaultQueryPolicy,
  type PartialAggregate,
  planQuery,
  releaseQuery,
} from '../src/index.ts';

const plan = (() => {
  const p = planQuery(
    {
      kind: 'query',
      filter: [],
      group_by: ['district'],
      aggregates: [
        { fn: 'count_distinct_subjects' },
        { fn: 'mean', attribute: 'amount', clamp: { lower: '0', upper: '50' } },
      ],
    },
    defaultQueryPolicy(5),
  );
  assert.ok(p.ok);
  return p.plan;
})();

const pseudonym = (i: number) => i.toString(16).padStart(32, '0');
function partial(groups: Record<string, number>): PartialAggregate {
  let next = 0;
  return {
    vault_id: 'vlt_a',
    groups: Object.entries(groups).map(([district, n]) => ({
      key: [district],
      subjects: Array.from({ length: n }, () => {
        next++;
        return [pseudonym(next + (district === 'tiny' ? 1000 : 0)), 1, 1200] as [string, number, number];
      }),
    })),
  };
}

describe('a suppressed group', () => {
  it('releases the same bytes as the same data without that group', () => {
    const withSmall = releaseQuery(plan, combinePartials([partial({ bedok: 40, tiny: 3, yishun: 12 })], 1), 'seed');
    const without = releaseQuery(plan, combinePartials([partial({ bedok: 40, yishun: 12 })], 1), 'seed');
    assert.equal(withSmall.decisions.groups_suppressed, 1);
    assert.deepEqual(canonicalBytes(withSmall.result), canonicalBytes(without.result));
    assert.deepEqual(
      withSmall.result.rows.map((r) => r.group.district),
      ['bedok', 'yishun'],
    );
  });

  it('answers a query for it exactly as a query for a district that does not exist: no rows, no error', () => {
    const only = (name: string, n: number) =>
      releaseQuery(plan, combinePartials([partial(n > 0 ? { [name]: n } : {})], 1), 'seed').result;
    const suppressed = only('tiny', 3);
    const absent = only('nowhere', 0);
    assert.deepEqual(suppressed, { rows: [] });
    assert.deepEqual(canonicalBytes(suppressed), canonicalBytes(absent));
  });
});
