import { checkTaskEvent, moveTask } from '../moves.ts';
import type { Step } from '../step.ts';

/** resolving -> rejected: the task's meaning could not be bound to its target Vaults. */
export const failResolution: Step<'task_resolution_failed'> = {
  check: (state, e) => checkTaskEvent(state.tasks, e.task_id, ['resolving'], 'rejected'),
  run(state, e, at) {
    const t = state.tasks[e.task_id]!;
    moveTask(t, 'rejected', at);
    t.reason_code = e.reason_code;
  },
};
