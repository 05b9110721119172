/** A Train task's round progress as the API shows it (from the folded state's round records). */
import type { TaskView } from '@symphony/api';
import type { ProtocolState } from '@symphony/protocol';

/** The rounds of the task's current attempt: how many completed, and the last one; undefined before any. */
export function trainProgressOf(state: ProtocolState, task_id: string): TaskView['train'] {
  const attempt = state.tasks[task_id]?.attempt;
  const rounds = Object.values(state.train_rounds ?? {})
    .filter((r) => r.task_id === task_id && r.attempt === attempt)
    .sort((a, b) => a.round - b.round);
  const last = rounds.at(-1);
  if (!last) return undefined;
  return {
    rounds_completed: rounds.filter((r) => r.state === 'completed').length,
    last_round: {
      round: last.round,
      state: last.state,
      ...(last.model_hash ? { model_hash: last.model_hash } : {}),
      participants: last.participants.length,
      dropped: last.dropped?.length ?? 0,
      ...(last.reason_code ? { reason_code: last.reason_code } : {}),
      ...(last.evaluation ? { evaluation: { ...last.evaluation } } : {}),
    },
    updated_seq: last.ended_seq ?? last.started_seq,
  };
}
