/**
 * A Train task's rounds as the API shows them, from the folded state's round records (which the
 * `train_round_*` events of the protocol log build): only what those events released, i.e. the
 * round's state, model hash, counts of Vaults and the held-out aggregate (or its suppression).
 */
import type { TaskRounds, TaskView, TrainRoundView } from '@symphony/api';
import type { ProtocolState, TrainRoundRecord } from '@symphony/protocol';

/** The round records of the task's current attempt, in round order. */
function roundsOfAttempt(state: ProtocolState, task_id: string): TrainRoundRecord[] {
  const attempt = state.tasks[task_id]?.attempt;
  return Object.values(state.train_rounds ?? {})
    .filter((r) => r.task_id === task_id && r.attempt === attempt)
    .sort((a, b) => a.round - b.round);
}

function roundView(r: TrainRoundRecord): TrainRoundView {
  const e = r.evaluation;
  return {
    round: r.round,
    state: r.state,
    ...(r.model_hash ? { model_hash: r.model_hash } : {}),
    participants: r.participants.length,
    dropped: r.dropped?.length ?? 0,
    ...(r.reason_code ? { reason_code: r.reason_code } : {}),
    ...(e
      ? {
          evaluation:
            'suppressed' in e
              ? { metric: e.metric, suppressed: true }
              : { metric: e.metric, value: e.value, subjects: e.subjects },
        }
      : {}),
  };
}

const updatedSeqOf = (r: TrainRoundRecord) => r.ended_seq ?? r.started_seq;

/** The rounds of the task's current attempt: how many completed, and the last one; undefined before any. */
export function trainProgressOf(state: ProtocolState, task_id: string): TaskView['train'] {
  const rounds = roundsOfAttempt(state, task_id);
  const last = rounds.at(-1);
  if (!last) return undefined;
  return {
    rounds_completed: rounds.filter((r) => r.state === 'completed').length,
    last_round: roundView(last),
    updated_seq: updatedSeqOf(last),
  };
}

/** Every round of the task's current attempt (none before the first round starts). */
export function trainRoundsOf(state: ProtocolState, task_id: string): TaskRounds {
  const rounds = roundsOfAttempt(state, task_id);
  return {
    task_id,
    attempt: state.tasks[task_id]?.attempt ?? 0,
    rounds_completed: rounds.filter((r) => r.state === 'completed').length,
    rounds: rounds.map(roundView),
    updated_seq: Math.max(0, ...rounds.map(updatedSeqOf)),
  };
}
