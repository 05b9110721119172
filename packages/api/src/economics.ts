/** Staking and payouts as the API shows them. */
import {
  ActorId,
  AmountString,
  EpochId,
  Hex64String,
  PayoutBatch,
  PayoutBatchId,
  PayoutClaim,
  PayoutExecution,
  PayoutIntent,
} from '@symphony/protocol';
import Type, { type Static } from 'typebox';

export const StakeRequest = Type.Object(
  {
    actor_id: ActorId,
    amount: AmountString,
  },
  {
    additionalProperties: false,
    description: 'A deposit or unbonding request; with authentication on, actor_id must be the signer.',
  },
);
export type StakeRequest = Static<typeof StakeRequest>;

export const StakeWithdrawRequest = Type.Object(
  { actor_id: ActorId },
  { additionalProperties: false, description: 'Releases unbonded stake whose period has passed.' },
);
export type StakeWithdrawRequest = Static<typeof StakeWithdrawRequest>;

export const StakeView = Type.Object(
  {
    actor_id: ActorId,
    balance: AmountString,
    escrowed: AmountString,
    spendable: AmountString,
    stake: AmountString,
    unbonding: Type.Array(
      Type.Object(
        {
          amount: AmountString,
          requested_seq: Type.Integer({ minimum: 0 }),
          release_at_ms: Type.Integer({ minimum: 0 }),
        },
        { additionalProperties: false },
      ),
    ),
    roles: Type.Array(
      Type.Object(
        { role: Type.String(), min_stake: AmountString, compliant: Type.Boolean() },
        { additionalProperties: false },
      ),
      { description: 'Every staked role of the policy in force, with its minimum and whether the stake reaches it.' },
    ),
    unbonding_period_ms: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type StakeView = Static<typeof StakeView>;

export const PayoutQuery = Type.Object(
  { epochId: Type.Optional(EpochId), actor: Type.Optional(ActorId) },
  { additionalProperties: false },
);
export type PayoutQuery = Static<typeof PayoutQuery>;

export const PayoutList = Type.Object(
  {
    intents: Type.Array(PayoutIntent),
    batches: Type.Array(PayoutBatch, { description: 'The batches paying the intents listed.' }),
    total: AmountString,
  },
  { additionalProperties: false },
);
export type PayoutList = Static<typeof PayoutList>;

export const PayoutBatchView = Type.Object(
  { batch: PayoutBatch, claims: Type.Array(PayoutClaim) },
  { additionalProperties: false },
);
export type PayoutBatchView = Static<typeof PayoutBatchView>;

export const PayoutBatchParams = Type.Object({ batchId: PayoutBatchId }, { additionalProperties: false });
export const PayoutClaimParams = Type.Object(
  { batchId: PayoutBatchId, actorId: ActorId },
  { additionalProperties: false },
);

export const PayoutClaimProofView = Type.Object(
  {
    batch_id: PayoutBatchId,
    epoch_id: EpochId,
    claimant: ActorId,
    amount: AmountString,
    intent_id: Type.String({ pattern: '^pay_[0-9a-f]{32}$' }),
    leaf_index: Type.Integer({ minimum: 0 }),
    tree_size: Type.Integer({ minimum: 1 }),
    audit_path: Type.Array(Hex64String, { maxItems: 64 }),
    claims_root: Hex64String,
  },
  {
    additionalProperties: false,
    description: 'A payout claim and its inclusion proof; verify with verifyPayoutClaim.',
  },
);
export type PayoutClaimProofView = Static<typeof PayoutClaimProofView>;

export const PayoutExecutionRequest = PayoutExecution;
export type PayoutExecutionRequest = Static<typeof PayoutExecutionRequest>;
