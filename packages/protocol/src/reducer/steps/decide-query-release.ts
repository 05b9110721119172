import { decideRelease, emptyPrivacy } from '../../query/decide-release.ts';
import { submitterGroupOf } from '../../query/differencing-check.ts';
import { queryPolicyOf } from '../../query/query-policy.ts';
import { checkTaskEvent, moveTask } from '../moves.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/**
 * A dispatched query asks to release: the differencing check and the per-subject budget charge are
 * decided here, at the log position, atomically. Granted: the ledger and release history move and
 * the task waits for its receipt. Refused: nothing is charged and the task ends `rejected` with the
 * reason, so nothing is released.
 */
export const decideQueryRelease: Step<'query_release_decided'> = {
  check(state, e) {
    const refusal = checkTaskEvent(state.tasks, e.task_id, ['dispatched'], 'rejected');
    if (refusal) return refusal;
    const t = state.tasks[e.task_id]!;
    if (t.class !== 'query') return refuse('not_a_query', `task ${e.task_id} is a ${t.class} task`);
    if (e.attempt !== t.attempt)
      return refuse('stale_attempt', `release for attempt ${e.attempt}, current is ${t.attempt}`);
    if (t.release?.attempt === e.attempt) return refuse('release_already_decided', `task ${e.task_id}`);
    if (!state.parameter_history.some((p) => p.policy_version === t.policy_version))
      return refuse('unknown_policy_version', `policy ${t.policy_version}`);
    return undefined;
  },
  run(state, e, at) {
    const t = state.tasks[e.task_id]!;
    const params = state.parameter_history.find((p) => p.policy_version === t.policy_version)!;
    const policy = queryPolicyOf(params);
    const decision = decideRelease(state.privacy ?? emptyPrivacy(), policy, {
      task_id: e.task_id,
      submitter_group: submitterGroupOf(policy.submitter_groups, t.delegation?.principal ?? t.submitter),
      scope: e.scope,
      epoch_id: at.epoch_id,
      charged: e.charged,
      released_sets: e.released_sets,
    });
    if (decision.outcome === 'granted') {
      state.privacy = decision.privacy;
      t.release = {
        attempt: e.attempt,
        outcome: 'granted',
        charged: e.charged.length,
        epsilon_micro: decision.epsilon_micro,
      };
      return;
    }
    t.release = { attempt: e.attempt, outcome: 'refused', code: decision.code, charged: 0, epsilon_micro: 0 };
    moveTask(t, 'rejected', at);
    t.reason_code = decision.code;
  },
};
