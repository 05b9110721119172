import { QUORUM_TIMEOUT, settlementQuorumDeadline } from '../../settlement/settlement-deadline.ts';
import { checkSettlementMove, moveSettlement } from '../moves.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/**
 * A settlement that cannot reach a quorum is marked failed. With `quorum_timeout` the log time must
 * have passed the candidate's quorum deadline (see settlement-deadline.ts), so any replay agrees.
 */
export const failSettlement: Step<'settlement_failed'> = {
  check(state, e, at) {
    const s = state.settlements[e.epoch_id];
    if (!s) return refuse('unknown_epoch', `epoch ${e.epoch_id} has no settlement`);
    if (s.state === 'collecting') return refuse('epoch_open', 'an open epoch is closed, not failed');
    if (e.reason_code === QUORUM_TIMEOUT) {
      const deadline = settlementQuorumDeadline(state, e.epoch_id);
      if (deadline === undefined)
        return refuse('no_candidate', `epoch ${e.epoch_id} has no candidate awaiting signatures`);
      if (at.time_ms < deadline) return refuse('deadline_not_reached', `the quorum deadline is ${deadline}`);
    }
    return checkSettlementMove(s, 'failed');
  },
  run(state, e, at) {
    const s = state.settlements[e.epoch_id]!;
    moveSettlement(s, 'failed', at);
    s.failure_reason = e.reason_code;
  },
};
