import { roundTaskId } from '../../events/train-events.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';
import { checkTrainTask } from './train-round-helpers.ts';

/**
 * A round of a dispatched Train task starts as a child sub-task: round 1 from the initial model,
 * round r from exactly the model round r - 1 completed with (same attempt). One round runs at a
 * time; the aggregation enclave runs on a node assigned to the task; participants are targets.
 */
export const startTrainRound: Step<'train_round_started'> = {
  check(state, e) {
    const refusal = checkTrainTask(state, e.task_id, e.attempt);
    if (refusal) return refusal;
    const t = state.tasks[e.task_id]!;
    if (e.round_task_id !== roundTaskId(e.task_id, e.round))
      return refuse('round_id_mismatch', `round ${e.round} of ${e.task_id} is ${roundTaskId(e.task_id, e.round)}`);
    if (!t.assignments?.some((a) => a.node_id === e.aggregator_node))
      return refuse('not_assigned', `${e.aggregator_node} is not assigned task ${e.task_id}`);
    const outside = e.participants.find((v) => !t.vault_ids.includes(v));
    if (outside) return refuse('vault_outside_targets', `${outside} is not a target of ${e.task_id}`);
    if (e.quorum > e.participants.length)
      return refuse('quorum_unreachable', `quorum ${e.quorum} exceeds ${e.participants.length} participants`);
    const rounds = Object.values(state.train_rounds ?? {}).filter(
      (r) => r.task_id === e.task_id && r.attempt === e.attempt,
    );
    if (rounds.some((r) => r.state !== 'completed'))
      return refuse('round_not_finished', `task ${e.task_id} has a round that did not complete`);
    if (rounds.length !== e.round - 1)
      return refuse('round_out_of_order', `the next round of ${e.task_id} is ${rounds.length + 1}`);
    if (e.round > 1) {
      const previous = rounds.find((r) => r.round === e.round - 1)!;
      if (previous.model_hash !== e.model_hash)
        return refuse('model_mismatch', `round ${e.round} must start from the model round ${e.round - 1} produced`);
      if (previous.standardization_hash !== e.standardization_hash)
        return refuse('standardization_mismatch', 'every round scales inputs with the same statistics');
    }
    return undefined;
  },
  run(state, e, at) {
    state.train_rounds ??= {};
    state.train_rounds[e.round_task_id] = {
      task_id: e.task_id,
      round: e.round,
      attempt: e.attempt,
      state: 'running',
      started_seq: at.seq,
      aggregator_node: e.aggregator_node,
      start_model_hash: e.model_hash,
      standardization_hash: e.standardization_hash,
      participants: [...e.participants].sort(),
      quorum: e.quorum,
    };
  },
};
