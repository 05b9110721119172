/**
 * The events of a Train task's rounds. Each round is a child sub-task of the Train task
 * (`round_task_id` = `<task_id>-r<round>`): it starts with the global model's hash, and either
 * completes (every participating Vault's enclave signed the hash of the model it received, the
 * aggregation enclave committed to each update and published the next global model's hash) or
 * aborts. Only hashes, commitments, counts and released aggregates appear here, never an update.
 */
import Type from 'typebox';
import {
  Count,
  DecimalString,
  Hex64String,
  NodeId,
  ReasonCode,
  SignatureHex,
  TaskId,
  VaultId,
} from '../objects/common.ts';

const RoundNumber = Type.Integer({ minimum: 1, maximum: 1000 });
const RoundTaskId = Type.String({
  pattern: '^tsk_[0-9a-z][0-9a-z_-]{0,62}-r[1-9][0-9]{0,3}$',
  description: 'A round sub-task: the Train task id, `-r`, the round number.',
});
const Attempt = Type.Integer({ minimum: 1, maximum: 1000 });

export const TrainRoundStartedEvent = Type.Object(
  {
    type: Type.Literal('train_round_started'),
    task_id: TaskId,
    attempt: Attempt,
    round: RoundNumber,
    round_task_id: RoundTaskId,
    aggregator_node: NodeId,
    /** The hash of the global model this round trains from (`scp/v1/train-model` over its bytes). */
    model_hash: Hex64String,
    /** The hash of the released standardization statistics the model's inputs are scaled with. */
    standardization_hash: Hex64String,
    participants: Type.Array(VaultId, { minItems: 1, maxItems: 1000, uniqueItems: true }),
    /** The fewest Vaults whose updates complete the round (the task's `min_vaults_per_round`). */
    quorum: Type.Integer({ minimum: 1, maximum: 1000 }),
  },
  { additionalProperties: false, description: 'A training round (child sub-task) starts from a global model.' },
);

/** A Vault enclave's signature over the hash of the global model it received for a round. */
export const ReceivedModel = Type.Object(
  { vault_id: VaultId, model_hash: Hex64String, signature: SignatureHex },
  { additionalProperties: false },
);

/** The aggregation enclave's commitment to one Vault's (encrypted, then discarded) update. */
export const UpdateCommitment = Type.Object(
  { vault_id: VaultId, commitment: Hex64String, weight: Count },
  { additionalProperties: false },
);

export const RoundEvaluation = Type.Union([
  Type.Object(
    {
      metric: Type.Literal('accuracy'),
      value: DecimalString,
      examples: Count,
      subjects: Count,
    },
    { additionalProperties: false },
  ),
  Type.Object({ metric: Type.Literal('accuracy'), suppressed: Type.Literal(true) }, { additionalProperties: false }),
]);

export const TrainRoundCompletedEvent = Type.Object(
  {
    type: Type.Literal('train_round_completed'),
    task_id: TaskId,
    attempt: Attempt,
    round: RoundNumber,
    round_task_id: RoundTaskId,
    received: Type.Array(ReceivedModel, { minItems: 1, maxItems: 1000 }),
    updates: Type.Array(UpdateCommitment, { minItems: 1, maxItems: 1000 }),
    dropped: Type.Array(VaultId, { maxItems: 1000, uniqueItems: true }),
    /** The hash of the new global model. */
    model_hash: Hex64String,
    /** Held-out evaluation of the new model, summed over the Vaults (absent when the task asks none). */
    evaluation: Type.Optional(RoundEvaluation),
  },
  { additionalProperties: false, description: 'A training round completes with the next global model hash.' },
);

export const TrainRoundAbortedEvent = Type.Object(
  {
    type: Type.Literal('train_round_aborted'),
    task_id: TaskId,
    attempt: Attempt,
    round: RoundNumber,
    round_task_id: RoundTaskId,
    reason_code: ReasonCode,
    /** The Vault whose signed model hash differed, or that failed (absent when the quorum failed). */
    vault_id: Type.Optional(VaultId),
  },
  { additionalProperties: false, description: 'A training round aborts (model mismatch, quorum lost).' },
);

/** The round sub-task id of a Train task's round. */
export const roundTaskId = (task_id: string, round: number) => `${task_id}-r${round}`;

/**
 * Before the first round of a DP Train task (per attempt), the aggregation enclave's declared
 * per-subject spend is charged to every training subject's `model_training` budget, all or nothing.
 */
export const TrainPrivacyChargedEvent = Type.Object(
  {
    type: Type.Literal('train_privacy_charged'),
    task_id: TaskId,
    attempt: Attempt,
    scope: Type.Literal('model_training'),
    /** The declared spend of all the task's rounds (RDP accountant, rounded up), micro-epsilon. */
    epsilon_micro: Type.Integer({ minimum: 1, maximum: 1_000_000_000_000 }),
    delta: DecimalString,
    /** Keyed pseudonyms (enclave-computed, as Query's) of every subject whose records the training reads. */
    charged: Type.Array(Type.String({ pattern: '^[0-9a-f]{32}$' }), { minItems: 1, maxItems: 5_000_000 }),
  },
  {
    additionalProperties: false,
    description:
      "A DP Train task's declared privacy spend is charged to its subjects' model_training budgets before any round, or the task is rejected whole.",
  },
);
