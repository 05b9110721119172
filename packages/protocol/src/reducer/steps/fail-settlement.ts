import { checkSettlementMove, moveSettlement } from '../moves.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/** A settlement that cannot reach a quorum (for example past its deadline) is marked failed. */
export const failSettlement: Step<'settlement_failed'> = {
  check(state, e) {
    const s = state.settlements[e.epoch_id];
    if (!s) return refuse('unknown_epoch', `epoch ${e.epoch_id} has no settlement`);
    if (s.state === 'collecting') return refuse('epoch_open', 'an open epoch is closed, not failed');
    return checkSettlementMove(s, 'failed');
  },
  run(state, e, at) {
    const s = state.settlements[e.epoch_id]!;
    moveSettlement(s, 'failed', at);
    s.failure_reason = e.reason_code;
  },
};
