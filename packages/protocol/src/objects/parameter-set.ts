/** The governance parameter set in force for a `policy_version`. */
import Type, { type Static } from 'typebox';
import { ActorId, AmountString, AttributeName, Count, EpochId, PolicyVersion, SchemaVersion } from './common.ts';

const Bps = Type.Integer({ minimum: 0, maximum: 10_000, description: 'Basis points (1/10000).' });

export const ClassPrice = Type.Object(
  { base: AmountString, per_record: AmountString, per_fuel_kilo: AmountString, per_round_vault: AmountString },
  {
    additionalProperties: false,
    description:
      'fee = base + per_record*records + per_fuel_kilo*ceil(fuel/1000) + per_round_vault*rounds*vaults, capped at max_fee.',
  },
);

/**
 * Token economics under a policy: the bootstrap emission schedule and the staking periods. Optional:
 * a parameter set without it emits nothing and unbonds after {@link DEFAULT_UNBONDING_PERIOD_MS}.
 */
export const EconomicsParameters = Type.Object(
  {
    genesis_supply: AmountString,
    emission_year_bps: Type.Array(Bps, {
      maxItems: 32,
      description:
        'Emission of year y after genesis, in bps of the genesis supply per year; years past the list emit 0 (SCP bootstrap: 800, 500, 300, 150).',
    }),
    data_quality_pool_bps: Type.Integer({
      minimum: 0,
      maximum: 10_000,
      description: 'Share (bps) of each epoch emission for the data-quality pool; the rest goes to node operation.',
    }),
    unbonding_period_ms: Type.Integer({ minimum: 0, maximum: 31_536_000_000 * 5 }),
  },
  { additionalProperties: false },
);
export type EconomicsParameters = Static<typeof EconomicsParameters>;

/** Unbonding period when the policy has no `economics` (7 days). */
export const DEFAULT_UNBONDING_PERIOD_MS = 604_800_000;

/**
 * The query privacy policy of a `policy_version`. Optional, and each field too: an absent field is
 * the protocol default (`defaultQueryPolicy`, docs/protocol.md "Query, privacy budgets and noise").
 */
export const QueryParameters = Type.Object(
  {
    epsilon_micro: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100_000_000,
        description: 'Privacy loss of one released query, micro-epsilon (1000000 = 1). Default 100000.',
      }),
    ),
    budget_micro: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1_000_000_000,
        description: 'Budget of one subject per usage scope and window, micro-epsilon. Default 1000000.',
      }),
    ),
    window_epochs: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Epochs per budget window. Default 720.' }),
    ),
    max_groups_per_subject: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1000,
        description: 'Groups one subject contributes to per query (G). Default 4.',
      }),
    ),
    differencing_window_epochs: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1_000_000,
        description: 'Epochs an earlier release is compared against by the differencing check. Default 720.',
      }),
    ),
    identifying_attributes: Type.Optional(
      Type.Array(AttributeName, {
        maxItems: 256,
        description:
          'Attributes that single out a person (equality filters, group-by and aggregates on them are refused).',
      }),
    ),
    submitter_groups: Type.Optional(
      Type.Record(ActorId, Type.String({ minLength: 1, maxLength: 128 }), {
        maxProperties: 4096,
        description: 'Submitters the differencing check treats as one: actor -> group name.',
      }),
    ),
    quantile_buckets: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1024,
        description: 'Buckets of the DP histogram a quantile is read from. Default 32.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type QueryParameters = Static<typeof QueryParameters>;
/** Settlement quorum deadline when the policy has no `settlement_timeout_ms` (1 h after the challenge window). */
export const DEFAULT_SETTLEMENT_TIMEOUT_MS = 3_600_000;

export const ParameterSet = Type.Object(
  {
    schema_version: SchemaVersion,
    policy_version: PolicyVersion,
    effective_from_epoch: EpochId,
    epoch_length_ms: Type.Integer({ minimum: 1000 }),
    challenge_window_ms: Count,
    settlement_quorum: Type.Integer({ minimum: 1, maximum: 16 }),
    k_min: Type.Integer({ minimum: 1, maximum: 100_000 }),
    reward_split_bps: Type.Object(
      { data_producer: Bps, vault_operator: Bps, executor: Bps, verifier: Bps, treasury: Bps },
      { additionalProperties: false },
    ),
    pricing: Type.Object(
      { parse: ClassPrice, query: ClassPrice, compute: ClassPrice, train: ClassPrice },
      { additionalProperties: false },
    ),
    min_stake: Type.Object(
      { executor: AmountString, verifier: AmountString, master: AmountString },
      { additionalProperties: false },
    ),
    slash_bps: Bps,
    challenge_requires_approval: Type.Boolean({
      description: 'A confirmed challenge needs a governance approval before its penalty.',
    }),
    challenge_bond: AmountString,
    verification_sample_bps: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 10_000,
        description:
          'Share of receipts (bps) that the assigned verifier re-executes, chosen by a seed from the log; absent = 10000 (all). Challenges cover the rest.',
      }),
    ),
    verifier_draw: Type.Optional(
      Type.Union([Type.Literal('log_entry'), Type.Literal('receipt')], {
        description:
          "What seeds a receipt's verifier and sample: 'log_entry' (absent: the default) its log position and entry hash, unknown to the executor until the receipt is ordered; 'receipt' the receipt's hash only, so the same seeded input draws the same verifiers on every deployment (reproducibility runs: an executor can then predict its draw).",
      }),
    ),
    challenger_reward_bps: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 10_000,
        description:
          'Share (bps) of a slashed stake credited to the challenger; the rest goes to the treasury. Absent = 5000.',
      }),
    ),
    bond_forfeit_bps: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 10_000,
        description:
          'Share (bps) of the bond forfeited to the treasury when a challenge closes without penalty; the rest returns. Absent = 10000.',
      }),
    ),
    economics: Type.Optional(EconomicsParameters),
    query: Type.Optional(QueryParameters),
    settlement_timeout_ms: Type.Optional(
      Type.Integer({
        minimum: 1000,
        maximum: 31_536_000_000,
        description:
          "How long (log time) the masters have to reach the quorum on a candidate once its challenge window has passed; then the coordinator appends settlement_failed 'quorum_timeout'. Absent = 3600000 (1 h).",
      }),
    ),
  },
  { additionalProperties: false },
);
export type ParameterSet = Static<typeof ParameterSet>;
export type ClassPrice = Static<typeof ClassPrice>;
