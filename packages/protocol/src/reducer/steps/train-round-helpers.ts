/** Shared checks of the Train round steps: the task is a dispatched Train task at this attempt. */
import { type Refusal, refuse } from '../refusal.ts';
import type { ProtocolState, TrainRoundRecord } from '../state.ts';

/** Refuses unless `task_id` is a Train task in `dispatched` at `attempt`. */
export function checkTrainTask(state: ProtocolState, task_id: string, attempt: number): Refusal | undefined {
  const t = state.tasks[task_id];
  if (!t) return refuse('unknown_task', `task ${task_id} does not exist`);
  if (t.class !== 'train') return refuse('not_a_train_task', `task ${task_id} is a ${t.class} task`);
  if (t.state !== 'dispatched') return refuse('illegal_transition', `task ${task_id} is ${t.state}, not dispatched`);
  if (attempt !== t.attempt) return refuse('stale_attempt', `round for attempt ${attempt}, current is ${t.attempt}`);
  return undefined;
}

/** The running round `round_task_id` of `task_id` at `attempt`, or a refusal. */
export function runningRound(
  state: ProtocolState,
  e: { task_id: string; attempt: number; round: number; round_task_id: string },
): TrainRoundRecord | Refusal {
  const refusal = checkTrainTask(state, e.task_id, e.attempt);
  if (refusal) return refusal;
  const r = state.train_rounds?.[e.round_task_id];
  if (!r || r.task_id !== e.task_id || r.round !== e.round || r.attempt !== e.attempt)
    return refuse('unknown_round', `round ${e.round_task_id} was not started at attempt ${e.attempt}`);
  if (r.state !== 'running') return refuse('round_not_running', `round ${e.round_task_id} is ${r.state}`);
  return r;
}

export const isRefusal = (x: TrainRoundRecord | Refusal): x is Refusal => 'code' in x && 'message' in x;

/**
 * A succeeded receipt of a Train task must report the rounds its attempt completed in the log:
 * every round it started completed (none aborted or left running) and `usage.rounds` counts them.
 */
export function checkTrainReceipt(
  state: ProtocolState,
  r: { task_id: string; attempt: number; status: string; usage: { rounds: number } },
): Refusal | undefined {
  if (r.status !== 'succeeded' || state.tasks[r.task_id]?.class !== 'train') return undefined;
  const rounds = Object.values(state.train_rounds ?? {}).filter(
    (x) => x.task_id === r.task_id && x.attempt === r.attempt,
  );
  if (rounds.length === 0 || rounds.some((x) => x.state !== 'completed'))
    return refuse('train_rounds_incomplete', `task ${r.task_id} has no completed rounds, or an unfinished one`);
  if (r.usage.rounds !== rounds.length)
    return refuse('train_rounds_mismatch', `the receipt reports ${r.usage.rounds} rounds, the log ${rounds.length}`);
  return undefined;
}
