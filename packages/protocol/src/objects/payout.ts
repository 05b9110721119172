/** Payout batches: an epoch's payout intents grouped under a Merkle root of claims. */
import Type, { type Static } from 'typebox';
import { ActorId, AmountString, Count, EpochId, Hex64String, SchemaVersion, SignatureHex, TimeMs } from './common.ts';

export const PayoutBatchId = Type.String({
  pattern: '^pbt_[1-9][0-9]{0,12}-(0|[1-9][0-9]{0,8})$',
  description: 'Payout batch identifier: pbt_<epoch>-<index>.',
});
export const PayoutIntentId = Type.String({ pattern: '^pay_[0-9a-f]{32}$' });

/** One leaf of a batch's claims tree: binds claimant, amount, epoch and batch. */
export const PayoutClaim = Type.Object(
  {
    batch_id: PayoutBatchId,
    epoch_id: EpochId,
    claimant: ActorId,
    amount: AmountString,
    intent_id: PayoutIntentId,
  },
  { additionalProperties: false, description: 'A payout claim; its JCS bytes are a leaf of the batch claims tree.' },
);
export type PayoutClaim = Static<typeof PayoutClaim>;

/** The treasury's signed statement that a batch was paid. */
export const PayoutExecution = Type.Object(
  {
    batch_id: PayoutBatchId,
    epoch_id: EpochId,
    claims_root: Hex64String,
    total: AmountString,
    reference: Type.String({
      minLength: 1,
      maxLength: 128,
      description: 'The payment reference (e.g. a transaction id).',
    }),
    treasury: ActorId,
    signature: SignatureHex,
  },
  { additionalProperties: false },
);
export type PayoutExecution = Static<typeof PayoutExecution>;

export const PayoutBatch = Type.Object(
  {
    schema_version: SchemaVersion,
    batch_id: PayoutBatchId,
    epoch_id: EpochId,
    index: Count,
    claim_count: Type.Integer({ minimum: 1 }),
    total: AmountString,
    claims_root: Hex64String,
    state: Type.Union([Type.Literal('pending'), Type.Literal('executed')]),
    executed: Type.Optional(
      Type.Object(
        { seq: Count, time_ms: TimeMs, reference: Type.String({ maxLength: 128 }), treasury: ActorId },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, description: 'A batch of payout claims of one finalized epoch.' },
);
export type PayoutBatch = Static<typeof PayoutBatch>;
