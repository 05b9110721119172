/**
 * The noise check of a Query's aggregation transcript rests on one property: whoever holds the
 * secret noise seed (an enclave: the seed is derived under the enclaves' key, see the node's
 * `noise-seed.ts`), knowing the plan, the released group keys and whether an audience was drawn,
 * recomputes exactly the noise values the release drew (counts, sums, means, quantile histograms,
 * audience), so their digests agree; a release that drew from another seed, or shifted one value,
 * does not. Without the seed nothing published helps: the digest recomputed from the public
 * replay seed or from the published seed commitment differs. Checked over random partials and
 * query shapes (the node test `query-noise-cannot-be-removed-from-public-data` shows the same on a
 * network, with the enclave key).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  combinePartials,
  defaultQueryPolicy,
  expectedNoiseDigest,
  expectedNoiseDraws,
  groupKeyText,
  noiseDigest,
  noiseSeedCommitment,
  type PartialAggregate,
  planQuery,
  releaseQuery,
} from '../src/index.ts';

const K_MIN = 3;
const SHAPES = [
  [{ fn: 'count_distinct_subjects' as const }],
  [
    { fn: 'count_distinct_subjects' as const },
    { fn: 'sum' as const, attribute: 'v', clamp: { lower: '0', upper: '50' } },
  ],
  [{ fn: 'mean' as const, attribute: 'v', clamp: { lower: '0', upper: '50' } }],
  [
    { fn: 'quantile' as const, attribute: 'v', quantile: '0.5', clamp: { lower: '0', upper: '50' } },
    { fn: 'count_distinct_subjects' as const },
  ],
];

const pseudonym = (i: number) => i.toString(16).padStart(32, '0');

describe('query noise is recomputable from the seed', () => {
  it('the noise seed holder recomputes the release draws exactly; a shifted or foreign draw, or a public seed, changes the digest', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: SHAPES.length - 1 }),
        fc.boolean(),
        fc.array(
          fc.tuple(
            fc.constantFrom('a', 'b', 'c', 'd'),
            fc.integer({ min: 0, max: 60 }),
            fc.integer({ min: 0, max: 5000 }),
          ),
          {
            minLength: 1,
            maxLength: 60,
          },
        ),
        fc.stringMatching(/^[0-9a-f]{64}$/),
        fc.stringMatching(/^[0-9a-f]{64}$/),
        (shape, audience, rows, seed, replaySeed) => {
          const planned = planQuery(
            {
              kind: 'query',
              filter: [],
              group_by: ['g'],
              aggregates: SHAPES[shape]!,
              ...(audience ? { audience: { max_subjects: 5 } } : {}),
            },
            defaultQueryPolicy(K_MIN),
          );
          assert.ok(planned.ok);
          const plan = planned.plan;
          const byGroup = new Map<string, Map<string, [string, number, number]>>();
          for (const [g, subject, value] of rows) {
            const m = byGroup.get(g) ?? new Map();
            const p = pseudonym(subject);
            const e = m.get(p) ?? [p, 0, 0];
            e[1] += 1;
            e[2] += value;
            m.set(p, e);
            byGroup.set(g, m);
          }
          const partial: PartialAggregate = {
            vault_id: 'vlt_a',
            groups: [...byGroup].map(([g, m]) => ({ key: [g], subjects: [...m.values()] })),
          };
          const released = releaseQuery(plan, combinePartials([partial], plan.summed.length), seed);
          const keys = released.truth.filter((t) => t.subjects >= plan.k_min).map((t) => groupKeyText(t.key));
          assert.equal(keys.length, released.decisions.groups_released);
          const drawn = plan.audience !== undefined && released.decisions.charged.length >= plan.k_min;
          const expected = expectedNoiseDraws(plan, keys, seed, drawn);
          assert.deepEqual(
            [...expected].sort((a, b) => (a.label < b.label ? -1 : 1)),
            [...released.noise].sort((a, b) => (a.label < b.label ? -1 : 1)),
          );
          assert.equal(noiseDigest(seed, expected), noiseDigest(seed, released.noise));
          assert.equal(expectedNoiseDigest(plan, keys, seed, drawn), noiseDigest(seed, released.noise));
          // Without the secret seed: the public replay seed and the published commitment give other digests.
          for (const guess of [replaySeed, noiseSeedCommitment(seed)])
            if (guess !== seed)
              assert.notEqual(expectedNoiseDigest(plan, keys, guess, drawn), noiseDigest(seed, released.noise));
          if (released.noise.length > 0) {
            const [first, ...rest] = released.noise;
            const shifted = [{ label: first!.label, value: first!.value + 1 }, ...rest];
            assert.notEqual(noiseDigest(seed, shifted), noiseDigest(seed, expected));
            const other = releaseQuery(plan, combinePartials([partial], plan.summed.length), `${seed.slice(1)}0`);
            if (other.noise.some((d, i) => d.value !== released.noise[i]!.value))
              assert.notEqual(noiseDigest(seed, other.noise), noiseDigest(seed, expected));
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
