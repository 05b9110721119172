/**
 * Stable epoch mapping. An entry's epoch is fixed by its log position: epoch 1 starts at genesis,
 * and each `epoch_closed` entry is the last entry of its epoch. The entry carries `epoch_id`, and
 * the reducer refuses an entry whose `epoch_id` differs from the one its position implies, so the
 * mapping never depends on a clock at read time.
 */
import type { ParameterSet } from '../objects/parameter-set.ts';

export type EpochWindow = {
  epoch_id: number;
  opened_at_seq: number;
  opened_at_ms: number;
  closed_at_seq?: number;
  closed_at_ms?: number;
};

/** The epoch the next entry belongs to, given the windows folded so far (ordered by epoch). */
export function epochForNextEntry(windows: readonly EpochWindow[]): number {
  const last = windows[windows.length - 1];
  if (!last) return 1;
  return last.closed_at_seq === undefined ? last.epoch_id : last.epoch_id + 1;
}

/** The epoch containing log position `seq`, or undefined if `seq` is before genesis or beyond the windows. */
export function epochOfSeq(windows: readonly EpochWindow[], seq: number): number | undefined {
  let lo = 0;
  let hi = windows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const w = windows[mid]!;
    if (seq < w.opened_at_seq) hi = mid - 1;
    else if (w.closed_at_seq !== undefined && seq > w.closed_at_seq) lo = mid + 1;
    else return w.epoch_id;
  }
  return undefined;
}

/** Whether the log time has reached the scheduled end of an open epoch under its parameter set. */
export function isScheduledCloseDue(
  window: EpochWindow,
  policy: Pick<ParameterSet, 'epoch_length_ms'>,
  time_ms: number,
): boolean {
  return window.closed_at_seq === undefined && time_ms >= window.opened_at_ms + policy.epoch_length_ms;
}
