/** Folding a whole log: replay. */
import { type ApplyOutcome, apply } from './apply.ts';
import { emptyState, type ProtocolState } from './state.ts';
import type { Entry } from './step.ts';

export type FoldResult = {
  state: ProtocolState;
  applied: number;
  ignored: Extract<ApplyOutcome, { kind: 'ignored' }>[];
  /** The first entry that broke the chain, if any: nothing after it was folded. */
  fatal?: Extract<ApplyOutcome, { kind: 'fatal' }>;
};

/** Folds `entries` in order from `state` (a fresh one by default), stopping at the first fatal entry. */
export function fold(entries: Iterable<Entry>, state: ProtocolState = emptyState()): FoldResult {
  const result: FoldResult = { state, applied: 0, ignored: [] };
  for (const entry of entries) {
    const outcome = apply(state, entry);
    if (outcome.kind === 'fatal') {
      result.fatal = outcome;
      break;
    }
    if (outcome.kind === 'applied') result.applied++;
    else result.ignored.push(outcome);
  }
  return result;
}
