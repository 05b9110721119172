import { checkSettlementMove, moveSettlement } from '../moves.ts';
import { refuse } from '../refusal.ts';
import { discardCandidate, tryBuildCandidate } from '../settlement-flow.ts';
import type { Step } from '../step.ts';

/** Recovery of a failed settlement: inputs are verified again and a new candidate attempt is built. */
export const retrySettlement: Step<'settlement_retried'> = {
  check(state, e) {
    const s = state.settlements[e.epoch_id];
    if (!s) return refuse('unknown_epoch', `epoch ${e.epoch_id} has no settlement`);
    return s.state === 'failed'
      ? checkSettlementMove(s, 'verifying_inputs')
      : refuse('not_failed', `epoch ${e.epoch_id} is ${s.state}`);
  },
  run(state, e, at) {
    const s = state.settlements[e.epoch_id]!;
    moveSettlement(s, 'verifying_inputs', at);
    discardCandidate(state, s, at);
    tryBuildCandidate(state, e.epoch_id, at);
  },
};
