/**
 * Epoch-window re-derivation: the window of an epoch recomputed from the log entries alone (the
 * rules of docs/protocol.md section 5), to compare with the window the reducer recorded.
 */
import type { EpochRecord } from '../reducer/state.ts';
import type { Entry } from '../reducer/step.ts';

/** An epoch window as re-derived from the entries. */
export type DerivedEpochWindow = {
  epoch_id: number;
  opened_at_seq: number;
  opened_at_ms: number;
  closed_at_seq?: number;
  closed_at_ms?: number;
  trigger?: 'manual' | 'schedule';
  /** Entries in the window that carry the epoch id (the closing entry included). */
  entry_count: number;
  /** Positions inside the window whose entry names another epoch (the reducer ignores them). */
  foreign_seqs: number[];
};

/**
 * Re-derives epoch `epoch_id`'s window from `entries` (the log from genesis, in order).
 * `epochLengthMs(e)` gives the epoch length in force for epoch e (a scheduled close before it is
 * not a close). Undefined when the log does not reach the epoch.
 */
export function deriveEpochWindow(
  entries: Iterable<Pick<Entry, 'seq' | 'time_ms' | 'epoch_id' | 'event'>>,
  epoch_id: number,
  epochLengthMs: (epoch: number) => number | undefined,
): DerivedEpochWindow | undefined {
  let current = 0;
  let window: DerivedEpochWindow | undefined;
  for (const entry of entries) {
    if (entry.seq === 0) {
      current = 1;
      window = { epoch_id: 1, opened_at_seq: 0, opened_at_ms: entry.time_ms, entry_count: 0, foreign_seqs: [] };
    }
    if (!window) return undefined;
    if (entry.epoch_id !== current) {
      if (current === epoch_id) window.foreign_seqs.push(entry.seq);
      continue;
    }
    window.entry_count++;
    const e = entry.event;
    if (e.type !== 'epoch_closed' || e.epoch_id !== current) continue;
    const length = epochLengthMs(current);
    if (e.trigger === 'schedule' && (length === undefined || entry.time_ms < window.opened_at_ms + length)) continue;
    if (current === epoch_id) {
      return { ...window, closed_at_seq: entry.seq, closed_at_ms: entry.time_ms, trigger: e.trigger };
    }
    current++;
    window = {
      epoch_id: current,
      opened_at_seq: entry.seq + 1,
      opened_at_ms: entry.time_ms,
      entry_count: 0,
      foreign_seqs: [],
    };
  }
  return window?.epoch_id === epoch_id ? window : undefined;
}

/** The fields in which a recorded window differs from the derived one (empty when they agree). */
export function windowDifferences(derived: DerivedEpochWindow, recorded: EpochRecord): string[] {
  const out: string[] = [];
  for (const f of ['opened_at_seq', 'opened_at_ms', 'closed_at_seq', 'closed_at_ms', 'trigger'] as const) {
    if (derived[f] !== recorded[f]) out.push(`${f}: recorded ${recorded[f]}, derived ${derived[f]}`);
  }
  return out;
}
