/** Epochs, settlements and rewards as the API shows them. */

import {
  ActorId,
  EpochId,
  Hex64String,
  QuorumCertificate,
  RewardRecord,
  SETTLEMENT_STATES,
  SettlementEntry,
  SettlementStatement,
  TaskId,
} from '@symphony/protocol';
import Type, { type Static } from 'typebox';

export const EpochView = Type.Object(
  {
    epoch_id: EpochId,
    state: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
    opened_at_ms: Type.Integer(),
    closed_at_ms: Type.Optional(Type.Integer()),
    settlement_state: Type.Enum(SETTLEMENT_STATES),
    settlement_root: Type.Optional(Type.String()),
    task_count: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type EpochView = Static<typeof EpochView>;

export const EpochList = Type.Object(
  { current_epoch: EpochId, epochs: Type.Array(EpochView) },
  { additionalProperties: false },
);
export type EpochList = Static<typeof EpochList>;

export const CloseEpochResponse = Type.Object(
  { closed_epoch: EpochId, current_epoch: EpochId, settlement_state: Type.Enum(SETTLEMENT_STATES) },
  { additionalProperties: false },
);
export type CloseEpochResponse = Static<typeof CloseEpochResponse>;

export const SettlementView = Type.Object(
  {
    epoch_id: EpochId,
    state: Type.Enum(SETTLEMENT_STATES),
    attempt: Type.Integer({ minimum: 0 }),
    statement: Type.Optional(SettlementStatement),
    signatures: Type.Array(
      Type.Object(
        { master_id: Type.String(), signature: Type.String(), matches_candidate: Type.Boolean() },
        { additionalProperties: false },
      ),
    ),
    certificate: Type.Optional(QuorumCertificate),
    quorum_certificate: Type.Union([QuorumCertificate, Type.Null()], {
      description:
        'The finalized context (the statement and a quorum of matching master signatures), null until finality.',
    }),
    entries: Type.Array(SettlementEntry),
    failure_reason: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type SettlementView = Static<typeof SettlementView>;

export const RewardQuery = Type.Object(
  { epochId: Type.Optional(EpochId), actor: Type.Optional(ActorId) },
  { additionalProperties: false },
);
export type RewardQuery = Static<typeof RewardQuery>;

export const RewardList = Type.Object(
  { rewards: Type.Array(RewardRecord), total: Type.String({ description: 'Sum of finalized amounts listed.' }) },
  { additionalProperties: false },
);
export type RewardList = Static<typeof RewardList>;

export const SettlementProofParams = Type.Object(
  { epochId: EpochId, entryId: TaskId },
  { additionalProperties: false, description: 'An entry of a settlement is named by its task id.' },
);
export type SettlementProofParams = Static<typeof SettlementProofParams>;

export const SettlementProof = Type.Object(
  {
    epoch_id: EpochId,
    entry_id: TaskId,
    entry: SettlementEntry,
    leaf_index: Type.Integer({ minimum: 0 }),
    tree_size: Type.Integer({ minimum: 1 }),
    audit_path: Type.Array(Hex64String, { maxItems: 64, description: 'RFC 6962 audit path, bottom-up.' }),
    settlement_root: Hex64String,
    quorum_certificate: Type.Union([QuorumCertificate, Type.Null()], {
      description: 'The finalized context binding this root, null while the epoch is not finalized.',
    }),
  },
  {
    additionalProperties: false,
    description:
      'RFC 6962 inclusion proof of one settlement entry (leaf = JCS of the entry); verify offline with verifySettlementProof.',
  },
);
export type SettlementProof = Static<typeof SettlementProof>;
