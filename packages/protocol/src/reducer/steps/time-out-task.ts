import { checkTaskEvent, moveTask } from '../moves.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/** A task still in flight when the log time passes its deadline ends `timed_out`. */
export const timeOutTask: Step<'task_timed_out'> = {
  check(state, e, at) {
    const refusal = checkTaskEvent(
      state.tasks,
      e.task_id,
      ['accepted', 'resolving', 'dispatched', 'verifying'],
      'timed_out',
    );
    if (refusal) return refusal;
    const t = state.tasks[e.task_id]!;
    return at.time_ms < t.deadline_ms ? refuse('deadline_not_reached', `deadline is ${t.deadline_ms}`) : undefined;
  },
  run(state, e, at) {
    const t = state.tasks[e.task_id]!;
    moveTask(t, 'timed_out', at);
    t.reason_code = 'deadline_exceeded';
  },
};
