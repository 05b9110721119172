/** The `Clock` contract against every adapter (system, manual), and each adapter's own rules. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/adapters/manual-clock.ts';
import { SystemClock } from '../../src/adapters/system-clock.ts';
import { delay } from '../support/wait.ts';
import { describeClockContract } from './clock-contract.ts';

describeClockContract('system', async () => ({ subject: new SystemClock(), tick: delay, cleanup: async () => {} }));

describeClockContract('manual', async () => {
  const clock = new ManualClock(1_700_000_000_000);
  return {
    subject: clock,
    tick: async (ms) => {
      clock.advance(ms);
    },
    cleanup: async () => {},
  };
});

describe('system (wall time)', () => {
  it('reads the wall clock', () => {
    const now = new SystemClock().now();
    assert.ok(Math.abs(now - Date.now()) < 1000);
  });
});

describe('manual (driven by the caller)', () => {
  it('stands still until set or advanced, and never goes back', async () => {
    const clock = new ManualClock();
    assert.equal(clock.now(), 0);
    await delay(5);
    assert.equal(clock.now(), 0);
    assert.equal(clock.advance(1500), 1500);
    clock.set(2000);
    assert.equal(clock.now(), 2000);
    assert.throws(() => clock.set(1999), RangeError);
    assert.throws(() => clock.advance(-1), RangeError);
    assert.throws(() => clock.advance(0.5), RangeError);
    assert.throws(() => new ManualClock(Number.NaN), RangeError);
    clock.set(2000);
    assert.equal(clock.advance(0), 2000);
  });
});
