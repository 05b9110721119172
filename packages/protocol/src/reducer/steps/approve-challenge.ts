import { checkChallengeMove, moveChallenge } from '../moves.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/** confirmed -> approved: governance approves the penalty. */
export const approveChallenge: Step<'challenge_approved'> = {
  check(state, e) {
    const c = state.challenges[e.challenge_id];
    return c ? checkChallengeMove(c, 'approved') : refuse('unknown_challenge', `${e.challenge_id} does not exist`);
  },
  run(state, e, at) {
    const c = state.challenges[e.challenge_id]!;
    moveChallenge(c, 'approved', at);
    c.approver = e.approver;
  },
};
