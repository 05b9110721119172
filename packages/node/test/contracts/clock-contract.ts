/**
 * The behaviour every `Clock` adapter must have. `describeClockContract` registers a suite; its
 * factory is called once per test. `tick` lets the suite move time on clocks that need a push.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Clock } from '../../src/ports/clock.ts';

/** A clock for one test. */
export type ClockFixture = {
  readonly subject: Clock;
  /** Makes time pass by about `ms` (a real wait, or an advance of a manual clock). */
  tick(ms: number): Promise<void>;
  cleanup(): Promise<void>;
};

/** Registers the `Clock` contract suite for one adapter. */
export function describeClockContract(name: string, factory: () => Promise<ClockFixture>): void {
  describe(name, () => {
    let fx: ClockFixture;
    beforeEach(async () => {
      fx = await factory();
    });
    afterEach(async () => {
      await fx?.cleanup();
    });

    it('returns integer milliseconds that never decrease', async () => {
      let last = fx.subject.now();
      for (let i = 0; i < 20_000; i++) {
        if (i % 5000 === 0) await fx.tick(1);
        const now = fx.subject.now();
        assert.ok(Number.isSafeInteger(now), `not an integer: ${now}`);
        assert.ok(now >= last, `went back from ${last} to ${now}`);
        last = now;
      }
    });

    it('moves forward as time passes', async () => {
      const before = fx.subject.now();
      await fx.tick(25);
      const after = fx.subject.now();
      assert.ok(after - before >= 20, `moved ${after - before} ms for 25 ms`);
    });
  });
}
