/** A clock that moves only when told to, for tests and deterministic simulations. */
import type { Clock } from '../ports/clock.ts';

/** `Clock` whose time is set by the caller. Time never goes backwards. */
export class ManualClock implements Clock {
  #now: number;

  /** Starts at `startMs` (integer milliseconds since the Unix epoch; default 0). */
  constructor(startMs = 0) {
    ManualClock.#check(startMs, 'startMs');
    this.#now = startMs;
  }

  /** The current manual time. */
  now(): number {
    return this.#now;
  }

  /** Moves to `ms`; throws a `RangeError` when `ms` is before the current time or not an integer. */
  set(ms: number): void {
    ManualClock.#check(ms, 'ms');
    if (ms < this.#now) throw new RangeError(`clock cannot go back from ${this.#now} to ${ms}`);
    this.#now = ms;
  }

  /** Moves forward by `ms` (a non-negative integer) and returns the new time. */
  advance(ms: number): number {
    ManualClock.#check(ms, 'ms');
    if (ms < 0) throw new RangeError(`cannot advance by a negative ${ms} ms`);
    this.set(this.#now + ms);
    return this.#now;
  }

  static #check(value: number, what: string): void {
    if (!Number.isSafeInteger(value)) throw new RangeError(`${what} must be a safe integer, got ${value}`);
  }
}
