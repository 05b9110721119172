/** Settlement entries (Merkle leaves), the candidate context and the finalized context. */
import Type, { type Static } from 'typebox';
import {
  AmountString,
  Count,
  EpochId,
  Hex64String,
  NetworkId,
  NodeId,
  PolicyVersion,
  SchemaVersion,
  SignatureHex,
  TaskClassSchema,
  TaskId,
} from './common.ts';
import { Contribution } from './execution-receipt.ts';

export const SettlementEntry = Type.Object(
  {
    schema_version: SchemaVersion,
    epoch_id: EpochId,
    task_id: TaskId,
    class: TaskClassSchema,
    policy_version: PolicyVersion,
    envelope_hash: Hex64String,
    receipt_hash: Hex64String,
    verification_hash: Hex64String,
    max_fee: AmountString,
    fee: AmountString,
    refund: AmountString,
    contributions: Type.Array(Contribution),
  },
  { additionalProperties: false, description: 'One verified task in an epoch; a leaf of the settlement tree.' },
);
export type SettlementEntry = Static<typeof SettlementEntry>;

/** What each master signs: the root of the entries and of the reward ledger for one attempt. */
export const SettlementStatement = Type.Object(
  {
    network_id: NetworkId,
    epoch_id: EpochId,
    attempt: Type.Integer({ minimum: 1 }),
    settlement_root: Hex64String,
    entry_count: Count,
    rewards_root: Hex64String,
    reward_count: Count,
  },
  {
    additionalProperties: false,
    description: 'Both tree sizes are signed: an RFC 6962 proof alone does not bind them.',
  },
);
export type SettlementStatement = Static<typeof SettlementStatement>;

export const SettlementCandidate = Type.Object(
  {
    schema_version: SchemaVersion,
    statement: SettlementStatement,
    total_fees: AmountString,
    total_refunds: AmountString,
    total_emission: Type.Optional(AmountString),
    built_at_seq: Count,
  },
  { additionalProperties: false, description: 'The candidate settlement context of an epoch.' },
);
export type SettlementCandidate = Static<typeof SettlementCandidate>;

export const MasterSignature = Type.Object(
  { master_id: NodeId, signature: SignatureHex },
  { additionalProperties: false },
);

export const QuorumCertificate = Type.Object(
  {
    schema_version: SchemaVersion,
    statement: SettlementStatement,
    signatures: Type.Array(MasterSignature, { minItems: 2 }),
    finalized_at_seq: Count,
  },
  {
    additionalProperties: false,
    description: 'Finalized settlement context: matching signatures of a quorum of masters.',
  },
);
export type QuorumCertificate = Static<typeof QuorumCertificate>;
