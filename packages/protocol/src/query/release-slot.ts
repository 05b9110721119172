/**
 * The release slot of a query: the aggregation enclave emits its reply only at the end of a fixed
 * slot counted from the moment it took the query, never when its work happens to finish. What a
 * submitter can time is then the slot index (the timing class), which moves only when the work
 * crosses a whole slot; the few records and steps a group under `k_min` adds (or does not add,
 * when it is absent) stay inside the slot. Pure: times are integer milliseconds passed in.
 */

/** The emission time of work started at `startMs` and done at `doneMs`: the first slot end at or after it. */
export function releaseSlotEnd(startMs: number, doneMs: number, slotMs: number): number {
  if (!Number.isSafeInteger(slotMs) || slotMs < 1) throw new RangeError('slotMs must be a positive integer');
  const slots = Math.max(1, Math.ceil((Math.max(doneMs, startMs) - startMs) / slotMs));
  return startMs + slots * slotMs;
}
