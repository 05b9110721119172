/** Reward records: the append-only reward ledger, and payout intents derived from it. */
import Type, { type Static } from 'typebox';
import { REWARD_STATES } from '../lifecycle/reward-lifecycle.ts';
import {
  ActorId,
  AmountString,
  ContributorRoleSchema,
  Count,
  EpochId,
  Hex64String,
  PolicyVersion,
  SchemaVersion,
  TaskId,
} from './common.ts';

export const RewardStateSchema = Type.Enum(REWARD_STATES);

export const RewardRecord = Type.Object(
  {
    schema_version: SchemaVersion,
    reward_id: Type.String({ pattern: '^rwd_[0-9a-f]{32}$' }),
    epoch_id: EpochId,
    task_id: TaskId,
    account: ActorId,
    role: ContributorRoleSchema,
    units: Count,
    policy_version: PolicyVersion,
    state: RewardStateSchema,
    amount: Type.Optional(AmountString),
    blocked_reason: Type.Optional(Type.String({ maxLength: 64 })),
    adjusts: Type.Optional(Type.String({ pattern: '^rwd_[0-9a-f]{32}$' })),
    delta: Type.Optional(Type.String({ pattern: '^-?(0|[1-9][0-9]{0,77})$' })),
    source: Type.Optional(
      Type.Literal('emission', {
        description: "Absent for a share of the task's fee; 'emission' for a share of the epoch's emission pools.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type RewardRecord = Static<typeof RewardRecord>;

export const PayoutIntent = Type.Object(
  {
    schema_version: SchemaVersion,
    intent_id: Type.String({ pattern: '^pay_[0-9a-f]{32}$' }),
    epoch_id: EpochId,
    account: ActorId,
    amount: AmountString,
    reward_ids_hash: Hex64String,
    reward_count: Count,
    state: Type.Union([Type.Literal('pending'), Type.Literal('executed')]),
    batch_id: Type.Optional(
      Type.String({
        pattern: '^pbt_[1-9][0-9]{0,12}-(0|[1-9][0-9]{0,8})$',
        description: 'The payout batch paying it.',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'What the payout system may pay: read from finalized rewards, never the reverse.',
  },
);
export type PayoutIntent = Static<typeof PayoutIntent>;
