import { checkChallengeMove, moveChallenge } from '../moves.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/** opened | reopened -> reviewing: adjudication replays the evidence. */
export const startChallengeReview: Step<'challenge_review_started'> = {
  check(state, e) {
    const c = state.challenges[e.challenge_id];
    return c ? checkChallengeMove(c, 'reviewing') : refuse('unknown_challenge', `${e.challenge_id} does not exist`);
  },
  run(state, e, at) {
    moveChallenge(state.challenges[e.challenge_id]!, 'reviewing', at);
  },
};
