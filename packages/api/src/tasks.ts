/** Task admission and inspection. */

import {
  ActorId,
  AmountString,
  AttributeName,
  DomainName,
  EpochId,
  GrantId,
  Hex64String,
  SemanticVersion,
  SignedDelegation,
  TASK_STATES,
  TaskClassSchema,
  TaskId,
  TaskSpec,
  TeeProviderSchema,
  UsageScopeSchema,
  VaultId,
} from '@symphony/protocol';
import Type, { type Static } from 'typebox';

export const TaskStateSchema = Type.Enum(TASK_STATES);

/** The `Idempotency-Key` header of `POST /v1/tasks`: the same key and body name the same task. */
export const IDEMPOTENCY_KEY_PATTERN = '^[A-Za-z0-9_.:-]{1,128}$';

export const SubmitTaskRequest = Type.Object(
  {
    class: TaskClassSchema,
    submitter: ActorId,
    consent_scope: UsageScopeSchema,
    targets: Type.Object(
      { vault_ids: Type.Array(VaultId, { minItems: 1, maxItems: 1024, uniqueItems: true }) },
      { additionalProperties: false },
    ),
    semantic: Type.Object(
      {
        domain: DomainName,
        semantic_version: SemanticVersion,
        attributes: Type.Array(AttributeName, { minItems: 1, maxItems: 128, uniqueItems: true }),
      },
      { additionalProperties: false },
    ),
    budget: Type.Object({ max_fee: AmountString }, { additionalProperties: false }),
    timeout_ms: Type.Optional(Type.Integer({ minimum: 1000, maximum: 7 * 24 * 3_600_000, default: 600_000 })),
    grant_ids: Type.Optional(Type.Array(GrantId, { maxItems: 64, uniqueItems: true })),
    delegation: Type.Optional(SignedDelegation),
    spec: TaskSpec,
  },
  { additionalProperties: false, description: 'What a submitter asks for; admission turns it into a TaskEnvelope.' },
);
export type SubmitTaskRequest = Static<typeof SubmitTaskRequest>;

/**
 * One round of a Train task as the protocol log records it (`train_round_*` events): its state,
 * the next model's hash, how many Vaults took part or dropped, and the held-out evaluation the
 * round released (an aggregate over at least k_min subjects, else `suppressed`).
 */
export const TrainRoundView = Type.Object(
  {
    round: Type.Integer({ minimum: 1 }),
    state: Type.Union([Type.Literal('running'), Type.Literal('completed'), Type.Literal('aborted')]),
    model_hash: Type.Optional(Hex64String),
    participants: Type.Integer({ minimum: 0 }),
    dropped: Type.Integer({ minimum: 0 }),
    reason_code: Type.Optional(Type.String()),
    evaluation: Type.Optional(
      Type.Object(
        {
          metric: Type.Literal('accuracy'),
          value: Type.Optional(Type.String()),
          subjects: Type.Optional(Type.Integer({ minimum: 0 })),
          suppressed: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type TrainRoundView = Static<typeof TrainRoundView>;

export const TaskView = Type.Object(
  {
    task_id: TaskId,
    class: TaskClassSchema,
    state: TaskStateSchema,
    submitter: ActorId,
    envelope_hash: Hex64String,
    policy_version: Type.Integer(),
    semantic_version: SemanticVersion,
    admitted_epoch: EpochId,
    settle_epoch: Type.Optional(EpochId),
    attempt: Type.Integer({ minimum: 0 }),
    max_fee: AmountString,
    fee: Type.Optional(AmountString),
    vault_ids: Type.Array(VaultId),
    reason_code: Type.Optional(Type.String()),
    updated_seq: Type.Integer({ minimum: 0 }),
    /** A Train task's round progress (absent for other classes and before the first round). */
    train: Type.Optional(
      Type.Object(
        {
          rounds_completed: Type.Integer({ minimum: 0 }),
          last_round: TrainRoundView,
          /** The log position of the last round event (changes with every round). */
          updated_seq: Type.Integer({ minimum: 0 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type TaskView = Static<typeof TaskView>;

export const TaskListQuery = Type.Object(
  {
    state: Type.Optional(TaskStateSchema),
    class: Type.Optional(TaskClassSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 128 })),
  },
  { additionalProperties: false },
);
export type TaskListQuery = Static<typeof TaskListQuery>;

export const TaskList = Type.Object(
  { tasks: Type.Array(TaskView), next_cursor: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
export type TaskList = Static<typeof TaskList>;

export const TaskEventView = Type.Object(
  {
    seq: Type.Integer({ minimum: 0 }),
    time_ms: Type.Integer({ minimum: 0 }),
    epoch_id: EpochId,
    type: Type.String(),
    state: Type.Optional(TaskStateSchema),
    outcome: Type.Union([Type.Literal('applied'), Type.Literal('ignored')]),
  },
  { additionalProperties: false },
);
export type TaskEventView = Static<typeof TaskEventView>;

export const TaskEvents = Type.Object(
  { task_id: TaskId, events: Type.Array(TaskEventView) },
  { additionalProperties: false },
);
export type TaskEvents = Static<typeof TaskEvents>;

/** Which enclave attested a task's execution; `simulated` means a software enclave with no hardware root of trust. */
export const AttestationView = Type.Object(
  {
    provider: TeeProviderSchema,
    measurement: Hex64String,
    simulated: Type.Boolean({ description: 'True for a software enclave: no hardware root of trust.' }),
  },
  { additionalProperties: false },
);
export type AttestationView = Static<typeof AttestationView>;

export const TaskResult = Type.Object(
  {
    task_id: TaskId,
    state: TaskStateSchema,
    output: Type.Unknown({ description: 'The released result (an aggregate; never records).' }),
    output_hash: Hex64String,
    receipt_hash: Hex64String,
    verified: Type.Boolean(),
    attestation: Type.Optional(AttestationView),
  },
  { additionalProperties: false },
);
export type TaskResult = Static<typeof TaskResult>;

/** Every round of a Train task's current attempt, in round order (`GET /v1/tasks/{taskId}/rounds`). */
export const TaskRounds = Type.Object(
  {
    task_id: TaskId,
    attempt: Type.Integer({ minimum: 0 }),
    rounds_completed: Type.Integer({ minimum: 0 }),
    rounds: Type.Array(TrainRoundView),
    /** The log position of the last round event (0 before the first round). */
    updated_seq: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type TaskRounds = Static<typeof TaskRounds>;
