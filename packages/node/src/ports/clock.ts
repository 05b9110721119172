/**
 * `Clock`: where the runtime reads time (timeouts, epoch windows, admission timestamps). The pure
 * core never reads a clock; the shell passes times in from here, so tests can drive time.
 */

/** A source of time. */
export interface Clock {
  /** Integer milliseconds since the Unix epoch; successive calls on one clock never decrease. */
  now(): number;
}
