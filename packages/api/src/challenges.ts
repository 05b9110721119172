/** Challenge ingress and inspection: open a challenge with a bond and evidence, list, show, replay. */

import {
  ActorId,
  AmountString,
  CHALLENGE_STATES,
  ChallengeAdjudication,
  ChallengeEvidence,
  ChallengeId,
  ChallengeTarget,
  EpochId,
  ExecutionReceipt,
  Hex64String,
  NodeId,
  ReasonCode,
} from '@symphony/protocol';
import Type, { type Static } from 'typebox';

export const ChallengeStateSchema = Type.Enum(CHALLENGE_STATES);

export const OpenChallengeRequest = Type.Object(
  {
    target: ChallengeTarget,
    evidence: ChallengeEvidence,
    bond: AmountString,
    grounds: Type.Optional(ReasonCode),
    challenger: Type.Optional(ActorId),
  },
  {
    additionalProperties: false,
    description:
      'The signing actor challenges a task or an epoch settlement. `challenger` defaults to the caller and must be the caller.',
  },
);
export type OpenChallengeRequest = Static<typeof OpenChallengeRequest>;

export const ReopenChallengeRequest = Type.Object(
  { evidence: ChallengeEvidence },
  {
    additionalProperties: false,
    description: 'New evidence for a challenge closed without penalty, inside its window.',
  },
);
export type ReopenChallengeRequest = Static<typeof ReopenChallengeRequest>;

export const StakeMovementView = Type.Object(
  {
    seq: Type.Integer({ minimum: 0 }),
    ref: Type.String(),
    account: ActorId,
    kind: Type.String(),
    field: Type.Union([Type.Literal('stake'), Type.Literal('balance')]),
    delta: Type.String(),
  },
  { additionalProperties: false },
);

export const ChallengeFindings = Type.Object(
  {
    receipt: Type.Optional(ExecutionReceipt),
    reexecution: Type.Optional(
      Type.Object({ output_hash: Hex64String, transcript_hash: Hex64String }, { additionalProperties: false }),
    ),
    class_check: Type.Optional(
      Type.Object({ confirmed: Type.Boolean(), reason_code: Type.String() }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false, description: 'What the adjudicator gathered off the log to decide.' },
);
export type ChallengeFindings = Static<typeof ChallengeFindings>;

export const ChallengeView = Type.Object(
  {
    challenge_id: ChallengeId,
    target: ChallengeTarget,
    challenger: ActorId,
    grounds: Type.String(),
    bond: AmountString,
    state: ChallengeStateSchema,
    history: Type.Array(
      Type.Object(
        { state: ChallengeStateSchema, seq: Type.Integer(), time_ms: Type.Integer() },
        { additionalProperties: false },
      ),
    ),
    epoch_id: Type.Optional(EpochId),
    finalized_context: Type.Boolean(),
    evidence_hashes: Type.Array(Hex64String),
    decision_hash: Type.Optional(Hex64String),
    accused: Type.Optional(NodeId),
    bond_held: Type.Optional(AmountString),
    stake_movements: Type.Array(StakeMovementView),
  },
  { additionalProperties: false },
);
export type ChallengeView = Static<typeof ChallengeView>;

export const ChallengeDetail = Type.Object(
  {
    challenge: ChallengeView,
    /** The stored evidence, by hash (absent for a verifier's dispute, whose evidence is its signed decision). */
    evidence: Type.Array(
      Type.Object({ evidence_hash: Hex64String, evidence: ChallengeEvidence }, { additionalProperties: false }),
    ),
    adjudication: Type.Optional(ChallengeAdjudication),
    findings: Type.Optional(ChallengeFindings),
  },
  { additionalProperties: false },
);
export type ChallengeDetail = Static<typeof ChallengeDetail>;

export const ChallengeList = Type.Object({ challenges: Type.Array(ChallengeView) }, { additionalProperties: false });
export type ChallengeList = Static<typeof ChallengeList>;

export const ChallengeListQuery = Type.Object(
  {
    state: Type.Optional(ChallengeStateSchema),
    task_id: Type.Optional(Type.String({ maxLength: 70 })),
    epoch_id: Type.Optional(EpochId),
  },
  { additionalProperties: false },
);
export type ChallengeListQuery = Static<typeof ChallengeListQuery>;

/**
 * Everything a fresh process needs to replay a challenge's adjudication: the log up to and including
 * the decision, the evidence under review and the findings the adjudicator gathered.
 */
export const ChallengeReplayBundle = Type.Object(
  {
    challenge_id: ChallengeId,
    evidence: ChallengeEvidence,
    findings: ChallengeFindings,
    entries: Type.Array(Type.Unknown(), { description: 'Protocol log entries from seq 0, in order.' }),
  },
  { additionalProperties: false },
);
export type ChallengeReplayBundle = Static<typeof ChallengeReplayBundle>;
