import { isScheduledCloseDue } from '../../epochs/epoch-mapping.ts';
import { policyInForce } from '../../params/resolve-parameters.ts';
import { checkSettlementMove, moveSettlement } from '../moves.ts';
import { refuse } from '../refusal.ts';
import { openSettlement, tryBuildCandidate } from '../settlement-flow.ts';
import type { Step } from '../step.ts';

/**
 * Closes the current epoch: this entry is its last. Its settlement starts verifying inputs (and
 * builds the candidate at once when nothing is open against it); the next epoch opens.
 */
export const closeEpoch: Step<'epoch_closed'> = {
  check(state, e, at) {
    if (e.epoch_id !== state.current_epoch) return refuse('wrong_epoch', `the open epoch is ${state.current_epoch}`);
    const window = state.epochs[e.epoch_id]!;
    const policy = policyInForce(state, e.epoch_id);
    if (e.trigger === 'schedule' && (!policy || !isScheduledCloseDue(window, policy, at.time_ms))) {
      return refuse('epoch_not_due', 'a scheduled close needs the log time to reach the end of the epoch');
    }
    const s = state.settlements[e.epoch_id];
    return s ? checkSettlementMove(s, 'verifying_inputs') : refuse('missing_settlement', `epoch ${e.epoch_id}`);
  },
  run(state, e, at) {
    const window = state.epochs[e.epoch_id]!;
    window.closed_at_seq = at.seq;
    window.closed_at_ms = at.time_ms;
    window.trigger = e.trigger;
    moveSettlement(state.settlements[e.epoch_id]!, 'verifying_inputs', at);
    tryBuildCandidate(state, e.epoch_id, at);
    const next = e.epoch_id + 1;
    state.current_epoch = next;
    state.epochs[next] = { epoch_id: next, opened_at_seq: at.seq + 1, opened_at_ms: at.time_ms };
    openSettlement(state, next, { ...at, epoch_id: next });
  },
};
