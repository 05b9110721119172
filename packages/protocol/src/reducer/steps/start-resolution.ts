import { checkTaskEvent, moveTask } from '../moves.ts';
import type { Step } from '../step.ts';

/** accepted -> resolving: the semantic layer takes the task. */
export const startResolution: Step<'task_resolution_started'> = {
  check: (state, e) => checkTaskEvent(state.tasks, e.task_id, ['accepted'], 'resolving'),
  run(state, e, at) {
    moveTask(state.tasks[e.task_id]!, 'resolving', at);
  },
};
