/**
 * The answer of `GET /v1/epochs/{epochId}/settlement/proofs/{entryId}`: one settlement entry, its
 * RFC 6962 audit path in the epoch's settlement tree, and the quorum certificate that signs the root.
 * The server's schema lives in `@symphony/api` (settlement.ts); this is the same shape, kept here
 * until that route is merged, and replaced by the import then.
 */
import { EpochId, Hex64String, QuorumCertificate, SettlementEntry, TaskId } from '@symphony/protocol';
import Type, { type Static } from 'typebox';

export const SettlementProof = Type.Object(
  {
    epoch_id: EpochId,
    entry_id: TaskId,
    entry: SettlementEntry,
    leaf_index: Type.Integer({ minimum: 0 }),
    tree_size: Type.Integer({ minimum: 1 }),
    audit_path: Type.Array(Hex64String),
    settlement_root: Hex64String,
    quorum_certificate: Type.Union([QuorumCertificate, Type.Null()]),
  },
  { additionalProperties: false },
);
export type SettlementProof = Static<typeof SettlementProof>;
