import { charge, windowOf } from '../../privacy/budget-ledger.ts';
import { TRAINING_BUDGET } from '../../privacy/training-budget.ts';
import { checkTaskEvent, moveTask } from '../moves.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/**
 * A DP Train task's declared spend is charged before its first round (of the attempt): every
 * subject pseudonym is charged `epsilon_micro` under `model_training`, atomically. Granted: the
 * ledger moves and rounds may start. Refused: nothing is charged, the task ends `rejected` with the
 * reason, and since no round ran no model, update or aggregate was released.
 */
export const chargeTrainPrivacy: Step<'train_privacy_charged'> = {
  check(state, e) {
    const refusal = checkTaskEvent(state.tasks, e.task_id, ['dispatched'], 'rejected');
    if (refusal) return refusal;
    const t = state.tasks[e.task_id]!;
    if (t.class !== 'train') return refuse('not_a_train_task', `task ${e.task_id} is a ${t.class} task`);
    if (e.attempt !== t.attempt)
      return refuse('stale_attempt', `charge for attempt ${e.attempt}, current is ${t.attempt}`);
    if (t.release?.attempt === e.attempt) return refuse('release_already_decided', `task ${e.task_id}`);
    if (Object.values(state.train_rounds ?? {}).some((r) => r.task_id === e.task_id && r.attempt === e.attempt))
      return refuse('rounds_already_started', `the charge of ${e.task_id} must precede its first round`);
    return undefined;
  },
  run(state, e, at) {
    const t = state.tasks[e.task_id]!;
    const privacy = state.privacy ?? { ledger: {}, releases: [] };
    const c = charge(privacy.ledger, {
      scope: e.scope,
      window: windowOf(at.epoch_id, TRAINING_BUDGET.window_epochs),
      limit: TRAINING_BUDGET.budget_micro,
      charges: e.charged.map((pseudonym) => ({ pseudonym, amount: e.epsilon_micro })),
    });
    if (c.ok) {
      state.privacy = { ...privacy, ledger: c.ledger };
      t.release = { attempt: e.attempt, outcome: 'granted', charged: c.charged, epsilon_micro: e.epsilon_micro };
      return;
    }
    t.release = { attempt: e.attempt, outcome: 'refused', code: c.code, charged: 0, epsilon_micro: 0 };
    moveTask(t, 'rejected', at);
    t.reason_code = c.code;
  },
};
