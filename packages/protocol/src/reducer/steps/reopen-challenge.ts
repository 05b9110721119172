import { policyInForce } from '../../params/resolve-parameters.ts';
import { challengeContext, engageTarget } from '../challenge-targets.ts';
import { checkChallengeMove, moveChallenge } from '../moves.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/** closed_without_penalty -> reopened on new evidence, inside the challenge window after closing. */
export const reopenChallenge: Step<'challenge_reopened'> = {
  check(state, e, at) {
    const c = state.challenges[e.challenge_id];
    if (!c) return refuse('unknown_challenge', `${e.challenge_id} does not exist`);
    const refusal = checkChallengeMove(c, 'reopened');
    if (refusal) return refusal;
    if (c.evidence_hashes.includes(e.evidence_hash)) return refuse('evidence_not_new', 'reopening needs new evidence');
    const closedAt = c.history[c.history.length - 1]!.time_ms;
    const window = policyInForce(state, at.epoch_id)?.challenge_window_ms ?? 0;
    if (at.time_ms > closedAt + window) return refuse('challenge_window_closed', 'the window to reopen has passed');
    const ctx = challengeContext(state, c.challenge.target, at);
    return 'code' in ctx ? ctx : undefined;
  },
  run(state, e, at) {
    const c = state.challenges[e.challenge_id]!;
    const ctx = challengeContext(state, c.challenge.target, at);
    if ('code' in ctx) return;
    moveChallenge(c, 'reopened', at);
    c.evidence_hashes.push(e.evidence_hash);
    c.epoch_id = ctx.epoch_id;
    c.opened_in_finalized_context = ctx.finalized;
    delete c.decision_hash;
    engageTarget(state, c, at);
  },
};
