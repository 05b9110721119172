/**
 * Attacks on statistical databases that beat a threshold-only design (suppression of groups under
 * k_min, nothing else) and must not beat the query policy (noise, per-subject budget, differencing
 * and tracker refusals, no singling out by identifying attributes). Each attack runs against both
 * configurations: it succeeds against threshold-only, so the test can fail, and is refused or left
 * near chance against the real policy.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultQueryPolicy, thresholdOnlyPolicy } from '@symphony/protocol';
import { leastSquares, type Person, population, releasedValue, Session, sumSecret } from './attack-harness.ts';

const K = 5;
const people = population(200);
const secretOf = (p: Person) => Number(p.fields.secret);

describe('query attacks', () => {
  it('differencing (a cohort, then the cohort minus one subject): exact against threshold-only, refused by the policy', () => {
    for (const [policy, expectLeak] of [
      [thresholdOnlyPolicy(K), true],
      [defaultQueryPolicy(K), false],
    ] as const) {
      let learned = 0;
      let refused = 0;
      for (const target of people.slice(0, 20)) {
        const s = new Session(people, policy);
        const city = target.fields.city!;
        const cohort = releasedValue(s.ask('act_attacker', sumSecret([{ attribute: 'city', op: 'eq', value: city }])));
        const minus = s.ask(
          'act_attacker',
          sumSecret([
            { attribute: 'city', op: 'eq', value: city },
            { attribute: 'bucket', op: 'ne', value: target.fields.bucket! },
          ]),
        );
        if ('refused' in minus) {
          assert.equal(minus.refused, 'differencing_suspected');
          refused++;
          continue;
        }
        if (cohort !== undefined && cohort - releasedValue(minus)! === secretOf(target)) learned++;
      }
      if (expectLeak) assert.equal(learned, 20, 'threshold-only leaks every secret');
      else assert.deepEqual({ learned, refused }, { learned: 0, refused: 20 });
    }
  });

  it('tracker (a padding set with and without the target): exact against threshold-only, refused by the policy', () => {
    const org = { act_tracker: 'org_acme', act_colleague: 'org_acme' };
    for (const [policy, expectLeak] of [
      [{ ...thresholdOnlyPolicy(K), submitter_groups: org }, true],
      [{ ...defaultQueryPolicy(K), submitter_groups: org }, false],
    ] as const) {
      let learned = 0;
      for (const [i, target] of people.slice(0, 20).entries()) {
        const s = new Session(people, policy);
        // The target alone would be suppressed; padded with 30 others it is not.
        const alone = s.ask(
          'act_tracker',
          sumSecret([{ attribute: 'bucket', op: 'in', value: [target.fields.bucket!] }]),
        );
        assert.equal(releasedValue(alone), undefined, 'a single subject is never released');
        const padding = people.filter((_, j) => j !== i && j >= 100 && j < 130).map((p) => p.fields.bucket!);
        const withTarget = releasedValue(
          s.ask(
            'act_tracker',
            sumSecret([{ attribute: 'bucket', op: 'in', value: [...padding, target.fields.bucket!] }]),
          ),
        );
        // A colleague of the same organisation asks the second half: the policy groups them.
        const pad = s.ask('act_colleague', sumSecret([{ attribute: 'bucket', op: 'in', value: padding }]));
        if (
          withTarget !== undefined &&
          releasedValue(pad) !== undefined &&
          withTarget - releasedValue(pad)! === secretOf(target)
        )
          learned++;
        if (!expectLeak) assert.deepEqual(pad, { refused: 'differencing_suspected' });
      }
      assert.equal(learned, expectLeak ? 20 : 0);
    }
  });

  it('singling out by equality on an identifying attribute is refused before anything runs', () => {
    const s = new Session(people, defaultQueryPolicy(K));
    assert.deepEqual(s.ask('act_x', sumSecret([{ attribute: 'subject_id', op: 'eq', value: 'act_person-1' }])), {
      refused: 'identifying_filter',
    });
    assert.deepEqual(s.ask('act_x', { ...sumSecret([]), group_by: ['user_id'] }), { refused: 'identifying_group_by' });
  });

  it('averaging repeated and rephrased queries: exact against threshold-only, near chance under the budget', () => {
    for (const [policy, lo, hi] of [
      [thresholdOnlyPolicy(K), 1, 1],
      [defaultQueryPolicy(K), 0.35, 0.65],
    ] as const) {
      let right = 0;
      const trials = 100;
      let answered = 0;
      for (let t = 0; t < trials; t++) {
        const target = people[t]!;
        const s = new Session(people, policy);
        // The attacker knows every other secret of the cohort; the sum betrays the target's bit.
        const cohort = people.filter((p) => p.fields.city === target.fields.city);
        const known = cohort.filter((p) => p !== target).reduce((n, p) => n + secretOf(p), 0);
        const phrasings = [
          [{ attribute: 'city', op: 'eq', value: target.fields.city! }],
          [{ attribute: 'city', op: 'in', value: [target.fields.city!] }],
          [
            { attribute: 'city', op: 'eq', value: target.fields.city! },
            { attribute: 'age', op: 'gte', value: '0' },
          ],
        ] as const;
        const values: number[] = [];
        for (let r = 0; r < 60; r++) {
          const v = releasedValue(s.ask('act_averager', sumSecret([...phrasings[r % 3]!] as never)));
          if (v !== undefined) values.push(v);
        }
        answered += values.length;
        const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
        const guess = mean - known >= 0.5 ? 1 : 0;
        if (guess === secretOf(target)) right++;
      }
      const accuracy = right / trials;
      assert.ok(accuracy >= lo && accuracy <= hi, `accuracy ${accuracy} (${answered} answers)`);
      if (policy.epsilon_micro > 0)
        assert.equal(
          answered,
          trials * (policy.budget_micro / policy.epsilon_micro),
          'the budget stops the repetition',
        );
    }
  });

  it('reconstruction from random subset sums on 200 subjects: near-perfect against threshold-only, near chance under the policy', () => {
    for (const [policy, lo, hi] of [
      [thresholdOnlyPolicy(K), 0.95, 1],
      [defaultQueryPolicy(K), 0, 0.65],
    ] as const) {
      const s = new Session(people, policy);
      let a = 12345;
      const rand = () => {
        a = (a * 1103515245 + 12345) % 2147483648;
        return a / 2147483648;
      };
      const rows: number[][] = [];
      const answers: number[] = [];
      for (let q = 0; q < 400; q++) {
        // Each query: a random half of the buckets (at most 256 values per `in`).
        const row = people.map(() => (rand() < 0.5 ? 1 : 0));
        const buckets = people
          .filter((_, i) => row[i])
          .map((p) => p.fields.bucket!)
          .slice(0, 256);
        const v = releasedValue(
          s.ask('act_reconstructor', sumSecret([{ attribute: 'bucket', op: 'in', value: buckets }])),
        );
        if (v === undefined) continue;
        rows.push(row);
        answers.push(v);
      }
      const x = leastSquares(rows, answers, people.length);
      const correct = people.filter((p, i) => (x[i]! >= 0.5 ? 1 : 0) === secretOf(p)).length / people.length;
      assert.ok(
        correct >= lo && correct <= hi,
        `reconstructed ${correct} of the secrets from ${answers.length} answers`,
      );
    }
  });
});
