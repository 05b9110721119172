/** `watchTask`: an async iterator of a task's state changes, by polling `GET /v1/tasks/{id}`. */
import type { TaskView } from '@symphony/api';
import { type TaskState, taskLifecycle } from '@symphony/protocol';
import type { SymphonyClient } from './client.ts';

/** Options of {@link watchTask}. */
export type WatchTaskOptions = {
  /** Milliseconds between polls (default 250). */
  intervalMs?: number;
  /** Stop after yielding one of these states (default: the lifecycle's terminal states). */
  until?: readonly TaskState[];
  /** Stops the watch (the iterator ends without an error). */
  signal?: AbortSignal;
  /** How to wait between polls (tests replace it). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
};

/** The states after which a task changes no more. */
export const TERMINAL_TASK_STATES: readonly TaskState[] = taskLifecycle.terminal;

const abortableSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Yields the task each time its state changes (the first view included), and ends after a state
 * in `until`. A state passed between two polls is not seen; `GET /v1/tasks/{id}/events` has them all.
 */
export async function* watchTask(
  client: SymphonyClient,
  taskId: string,
  options: WatchTaskOptions = {},
): AsyncGenerator<TaskView> {
  const until = new Set<string>(options.until ?? TERMINAL_TASK_STATES);
  const sleep = options.sleep ?? abortableSleep;
  let last: string | undefined;
  while (!options.signal?.aborted) {
    const task = await client.getTask(taskId);
    if (task.state !== last) {
      last = task.state;
      yield task;
    }
    if (until.has(task.state)) return;
    await sleep(options.intervalMs ?? 250, options.signal);
  }
}
