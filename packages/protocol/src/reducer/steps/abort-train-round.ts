import type { Step } from '../step.ts';
import { isRefusal, runningRound } from './train-round-helpers.ts';

/**
 * A running round aborts: a Vault reported (signed) a different received model than another
 * (`model_mismatch`), or fewer Vaults than the quorum answered (`quorum_not_met`). No later round
 * of this attempt can start; the task ends with a failed receipt.
 */
export const abortTrainRound: Step<'train_round_aborted'> = {
  check(state, e) {
    const r = runningRound(state, e);
    return isRefusal(r) ? r : undefined;
  },
  run(state, e, at) {
    const r = state.train_rounds![e.round_task_id]!;
    r.state = 'aborted';
    r.ended_seq = at.seq;
    r.reason_code = e.reason_code;
    if (e.vault_id) r.vault_id = e.vault_id;
  },
};
