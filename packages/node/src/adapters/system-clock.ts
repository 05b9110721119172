/** The wall clock, held monotonic: a step backwards of the system time is absorbed, never returned. */
import type { Clock } from '../ports/clock.ts';

/** `Clock` over `Date.now()` that never goes backwards within one instance. */
export class SystemClock implements Clock {
  #last = 0;

  /** Integer milliseconds since the Unix epoch, never less than the previous call's. */
  now(): number {
    const t = Date.now();
    if (t > this.#last) this.#last = t;
    return this.#last;
  }
}
