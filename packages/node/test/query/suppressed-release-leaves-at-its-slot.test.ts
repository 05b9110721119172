/**
 * Timing class of a suppressed group. The same query over data with a group under k_min and over
 * the same data without it: the aggregator's noise work is the same (a suppressed group draws no
 * noise, as an absent one), and on a deterministic clock that counts work steps the reply of both
 * leaves at the same release slot end although the work finished at different steps; work that
 * overruns a slot moves to the next slot (the slot is what a submitter can time). No wall-clock
 * timing is asserted: time here is a manual clock.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalBytes,
  combinePartials,
  defaultQueryPolicy,
  type PartialAggregate,
  planQuery,
  releaseQuery,
  releaseSlotEnd,
  SeededIntegers,
} from '@symphony/protocol';
import { ManualClock } from '../../src/adapters/manual-clock.ts';
import { releaseAtSlot } from '../../src/execution/query/release-at-slot.ts';

const planned = planQuery(
  {
    kind: 'query',
    filter: [],
    group_by: ['district'],
    aggregates: [
      { fn: 'count_distinct_subjects' },
      { fn: 'sum', attribute: 'amount', clamp: { lower: '0', upper: '50' } },
      { fn: 'quantile', attribute: 'amount', quantile: '0.5', clamp: { lower: '0', upper: '50' } },
    ],
  },
  defaultQueryPolicy(5),
);
assert.ok(planned.ok);
const plan = planned.plan;

/** Each district's subjects and totals depend on the district only (so dropping one changes no other). */
function partial(groups: Record<string, number>): PartialAggregate {
  return {
    vault_id: 'vlt_a',
    groups: Object.entries(groups).map(([district, n]) => ({
      key: [district],
      subjects: Array.from(
        { length: n },
        (_, i) => [`${district}-${i}`.padStart(32, '0'), 1, 100 * ((i * 7) % 50)] as [string, number, number],
      ),
    })),
  };
}

const withSuppressed = partial({ bedok: 40, tiny: 3, yishun: 12 });
const withAbsent = partial({ bedok: 40, yishun: 12 });

/** Runs the release counting its uniform draws (every noise draw is made of them). */
function countedRelease(p: PartialAggregate) {
  const below = SeededIntegers.prototype.below;
  let draws = 0;
  SeededIntegers.prototype.below = function (this: SeededIntegers, n: number) {
    draws++;
    return below.call(this, n);
  };
  try {
    const released = releaseQuery(plan, combinePartials([p], plan.summed.length), 'seed-timing');
    return { released, draws };
  } finally {
    SeededIntegers.prototype.below = below;
  }
}

/** Work steps of a release on the deterministic clock: one per subject entry combined, one per draw. */
const steps = (p: PartialAggregate, draws: number) => p.groups.reduce((n, g) => n + g.subjects.length, 0) + draws;

/**
 * Releases on a manual clock that advances one ms per work step; the hold's waits move the clock
 * (virtual time), so the emission time is exact and nothing waits for real.
 */
async function emitted(p: PartialAggregate, slotMs: number, startMs = 1_000) {
  const clock = new ManualClock(startMs);
  let doneAt = 0;
  const result = await releaseAtSlot(
    clock,
    slotMs,
    async () => {
      const { released, draws } = countedRelease(p);
      clock.advance(steps(p, draws));
      doneAt = clock.now();
      return released.result;
    },
    async (ms) => {
      clock.advance(ms);
    },
  );
  return { result, at: clock.now(), doneAt, startMs };
}

describe('a suppressed group and an absent group have the same timing class', () => {
  it('the aggregator draws the same noise for both (a suppressed group draws none)', () => {
    const s = countedRelease(withSuppressed);
    const a = countedRelease(withAbsent);
    assert.equal(s.released.decisions.groups_suppressed, 1);
    assert.equal(a.released.decisions.groups_suppressed, 0);
    assert.ok(s.draws > 0);
    assert.equal(s.draws, a.draws, 'noise draws: suppressed vs absent');
    // A released third group would draw more: the count is not blind to the groups released.
    const released = countedRelease(partial({ bedok: 40, tiny: 9, yishun: 12 }));
    assert.ok(released.draws > a.draws);
  });

  it('leaves at the same slot end although its work finished later, on a deterministic clock', async () => {
    const slotMs = 5_000;
    const s = await emitted(withSuppressed, slotMs);
    const a = await emitted(withAbsent, slotMs);
    // Without the slot the suppressed group's extra subjects would show: the work ends at another step.
    assert.ok(s.doneAt > a.doneAt, `work done at ${s.doneAt} vs ${a.doneAt}`);
    assert.equal(s.at, a.at, 'the replies leave at the same time');
    assert.equal(s.at, s.startMs + slotMs, 'at the end of the first slot');
    assert.deepEqual(canonicalBytes(s.result), canonicalBytes(a.result));
  });

  it('moves to the next slot only when the work overruns a whole slot (the slot is the timing class)', async () => {
    const { draws } = countedRelease(withAbsent);
    const work = steps(withAbsent, draws);
    // A slot the absent case's work just fills: the suppressed case's extra steps overrun it.
    const slotMs = work;
    const a = await emitted(withAbsent, slotMs);
    const s = await emitted(withSuppressed, slotMs);
    assert.equal(a.at, a.startMs + slotMs);
    assert.equal(s.at, s.startMs + 2 * slotMs);
  });

  it('computes slot ends as whole slots from the start', () => {
    assert.equal(releaseSlotEnd(100, 100, 50), 150);
    assert.equal(releaseSlotEnd(100, 149, 50), 150);
    assert.equal(releaseSlotEnd(100, 150, 50), 150);
    assert.equal(releaseSlotEnd(100, 151, 50), 200);
    assert.throws(() => releaseSlotEnd(0, 1, 0), RangeError);
  });
});
