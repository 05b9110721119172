/** Assurance: the protocol log page by page (for export and replay), recorded accounting, anchors. */
import { EpochId, Hex64String, PayoutBatch, PayoutIntent, RewardRecord, SettlementEntry } from '@symphony/protocol';
import Type, { type Static } from 'typebox';

/** `GET /v1/log` query: entries from `from` (default 0), at most `limit` (default 1000, at most 5000). */
export const LogQuery = Type.Object(
  {
    from: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
  },
  { additionalProperties: false },
);
export type LogQuery = Static<typeof LogQuery>;

/** One protocol log entry exactly as stored (docs/protocol.md section 4). */
export const LogEntryView = Type.Object(
  {
    schema_version: Type.Literal(1),
    seq: Type.Integer({ minimum: 0 }),
    prev_hash: Hex64String,
    time_ms: Type.Integer({ minimum: 0 }),
    epoch_id: Type.Integer({ minimum: 0 }),
    origin: Type.String({ minLength: 1 }),
    event: Type.Unknown(),
    hash: Hex64String,
  },
  { additionalProperties: false },
);
export type LogEntryView = Static<typeof LogEntryView>;

const CheckpointSettlementView = Type.Object(
  {
    epoch_id: EpochId,
    state: Type.String(),
    attempt: Type.Integer({ minimum: 0 }),
    settlement_root: Type.Optional(Hex64String),
    rewards_root: Type.Optional(Hex64String),
  },
  { additionalProperties: false },
);

/** The whole folded state at a position: its hash, every settlement, the whole ledger. */
export const CheckpointView = Type.Object(
  {
    seq: Type.Integer({ minimum: 0 }),
    entry_hash: Hex64String,
    state_hash: Hex64String,
    settlements: Type.Array(CheckpointSettlementView),
    reward_ledger_hash: Hex64String,
    payouts_hash: Hex64String,
  },
  { additionalProperties: false },
);
export type CheckpointView = Static<typeof CheckpointView>;

/** One epoch after the entry that closed or finalized it: its settlement and its ledger hashes. */
export const EpochCheckpointView = Type.Object(
  {
    seq: Type.Integer({ minimum: 0 }),
    entry_hash: Hex64String,
    epoch_id: EpochId,
    settlement: CheckpointSettlementView,
    reward_ledger_hash: Hex64String,
    payouts_hash: Hex64String,
  },
  { additionalProperties: false },
);
export type EpochCheckpointView = Static<typeof EpochCheckpointView>;

export const LogPage = Type.Object(
  {
    network_id: Type.String(),
    entries: Type.Array(LogEntryView),
    /** Epoch checkpoints the node recorded at positions of this page. */
    checkpoints: Type.Array(EpochCheckpointView),
    /** The node's folded head, present when this page reaches it. */
    head: Type.Optional(CheckpointView),
  },
  { additionalProperties: false },
);
export type LogPage = Static<typeof LogPage>;

/** An epoch's finalized accounting as the node recorded it. */
export const AccountingView = Type.Object(
  {
    epoch_id: EpochId,
    entries: Type.Array(SettlementEntry),
    rewards: Type.Array(RewardRecord),
    payouts: Type.Array(PayoutIntent),
    /** The epoch's payout batches as recorded at finality (absent from nodes that record none). */
    batches: Type.Optional(Type.Array(PayoutBatch)),
  },
  { additionalProperties: false },
);
export type AccountingView = Static<typeof AccountingView>;

const AnchorFields = {
  network_id: Type.String(),
  epoch_id: EpochId,
  settlement_root: Hex64String,
  rewards_root: Hex64String,
  statement_hash: Hex64String,
};

export const AnchorReceiptView = Type.Object(
  { ...AnchorFields, adapter: Type.String(), reference: Type.String(), position: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);

/** An epoch's anchor: what the node's anchor holds and whether it matches the certified statement. */
export const AnchorView = Type.Object(
  {
    epoch_id: EpochId,
    adapter: Type.String(),
    statement: Type.Object(AnchorFields, { additionalProperties: false }),
    receipt: Type.Optional(AnchorReceiptView),
    verified: Type.Boolean(),
    code: Type.Optional(Type.String()),
    message: Type.Optional(Type.String()),
    /** The whole local anchor ledger (adapter `ledger` only), to check its chain independently. */
    ledger: Type.Optional(
      Type.Array(
        Type.Object(
          { ...AnchorFields, seq: Type.Integer({ minimum: 0 }), prev_hash: Hex64String, hash: Hex64String },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);
export type AnchorView = Static<typeof AnchorView>;
