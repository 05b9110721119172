import { checkChallengeMove, moveChallenge } from '../moves.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/**
 * reviewing -> confirmed | not_confirmed, with the hash of the replayed decision. A confirmation
 * names the accused node: the task's executor (implied for a task target) or, for a settlement
 * target, the master whose signatures the evidence convicts.
 */
export const decideChallenge: Step<'challenge_decided'> = {
  check(state, e) {
    const c = state.challenges[e.challenge_id];
    if (!c) return refuse('unknown_challenge', `${e.challenge_id} does not exist`);
    const refusal = checkChallengeMove(c, e.outcome);
    if (refusal) return refusal;
    if (e.outcome === 'not_confirmed') {
      return e.accused
        ? refuse('accused_without_confirmation', 'only a confirmation names an accused node')
        : undefined;
    }
    const target = c.challenge.target;
    if (target.kind === 'task') {
      const executor = state.tasks[target.task_id]?.executor_node;
      if (e.accused !== undefined && e.accused !== executor)
        return refuse('wrong_accused', `a task challenge accuses the task's executor ${executor}`);
      return undefined;
    }
    if (!e.accused) return refuse('accused_required', 'a confirmed settlement challenge names the accused master');
    if (!state.masters[e.accused]) return refuse('unknown_master', `${e.accused} is not a master`);
    return undefined;
  },
  run(state, e, at) {
    const c = state.challenges[e.challenge_id]!;
    moveChallenge(c, e.outcome, at);
    c.decision_hash = e.decision_hash;
    const target = c.challenge.target;
    if (e.outcome === 'confirmed') {
      const accused = target.kind === 'task' ? state.tasks[target.task_id]?.executor_node : e.accused;
      if (accused) c.accused = accused;
    } else delete c.accused;
  },
};
