import { checkChallengeMove, moveChallenge } from '../moves.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/** reviewing -> confirmed | not_confirmed, with the hash of the replayed decision. */
export const decideChallenge: Step<'challenge_decided'> = {
  check(state, e) {
    const c = state.challenges[e.challenge_id];
    return c ? checkChallengeMove(c, e.outcome) : refuse('unknown_challenge', `${e.challenge_id} does not exist`);
  },
  run(state, e, at) {
    const c = state.challenges[e.challenge_id]!;
    moveChallenge(c, e.outcome, at);
    c.decision_hash = e.decision_hash;
  },
};
