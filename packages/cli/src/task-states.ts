/** Groups of task states the CLI waits for. */
import { type TaskState, taskLifecycle } from '@symphony/protocol';

/** States after which a watcher stops by default: the result is released, or the task ended. */
export const WATCH_STOP_STATES: readonly TaskState[] = ['awaiting_settlement', ...taskLifecycle.terminal];
/** States that end a task without a result. */
export const FAILED_TASK_STATES: readonly TaskState[] = ['rejected', 'timed_out'];
