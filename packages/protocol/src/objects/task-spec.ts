/** Class-specific task specifications carried inside a `TaskEnvelope`. */
import Type, { type Static } from 'typebox';
import { AttributeName, DecimalString, Hex64String, RecordId, VaultId } from './common.ts';

/** A scalar compared against a canonical attribute: strings, integers, or decimals as strings. */
const Scalar = Type.Union([
  Type.String({ maxLength: 256 }),
  Type.Integer({ minimum: -(2 ** 53) + 1, maximum: 2 ** 53 - 1 }),
]);

export const Condition = Type.Object(
  {
    attribute: AttributeName,
    op: Type.Union([
      Type.Literal('eq'),
      Type.Literal('ne'),
      Type.Literal('in'),
      Type.Literal('gte'),
      Type.Literal('lte'),
      Type.Literal('between'),
      Type.Literal('within_days'),
    ]),
    value: Type.Union([Scalar, Type.Array(Scalar, { minItems: 1, maxItems: 256 })]),
  },
  { additionalProperties: false, description: 'One filter condition over a canonical attribute.' },
);
export type Condition = Static<typeof Condition>;

export const Filter = Type.Array(Condition, { maxItems: 16, description: 'Conditions joined by AND.' });

export const ParseSpec = Type.Object(
  {
    kind: Type.Literal('parse'),
    source: Type.Object({ vault_id: VaultId, record_id: RecordId }, { additionalProperties: false }),
    extractor: Type.Union([Type.Literal('receipt'), Type.Literal('document')]),
  },
  { additionalProperties: false, description: 'Interpret one raw record (image or PDF) inside one Vault.' },
);

export const BUILTIN_OPERATORS = ['count', 'sum', 'mean', 'histogram'] as const;
export type BuiltinOperator = (typeof BUILTIN_OPERATORS)[number];

export const BuiltinProgram = Type.Object(
  {
    type: Type.Literal('builtin'),
    operator: Type.Enum(BUILTIN_OPERATORS),
    attribute: Type.Optional(AttributeName),
    bin_edges: Type.Optional(Type.Array(DecimalString, { minItems: 2, maxItems: 64 })),
  },
  { additionalProperties: false },
);

export const SandboxProgram = Type.Object(
  {
    type: Type.Literal('sandbox'),
    /** SHA-256 of the UTF-8 bytes of `source`: the identity a Vault's policy approves. */
    code_hash: Hex64String,
    max_output_bytes: Type.Integer({ minimum: 1, maximum: 1_048_576 }),
    /** The program: an ES module whose default export is `function run(rows, ctx)`. */
    source: Type.Optional(Type.String({ minLength: 1, maxLength: 65_536 })),
    /**
     * Canonical attributes the program derives per subject. The program then returns
     * `{ release, derived: [{ subject, features }] }`: the features are written back into the Vault
     * as new sealed records linked to the task, and only `release` and their count leave the node.
     */
    derives: Type.Optional(Type.Array(AttributeName, { minItems: 1, maxItems: 32, uniqueItems: true })),
  },
  {
    additionalProperties: false,
    description: 'A submitted JavaScript program run in the deterministic QuickJS sandbox.',
  },
);

export const ComputeSpec = Type.Object(
  {
    kind: Type.Literal('compute'),
    program: Type.Union([BuiltinProgram, SandboxProgram]),
    filter: Filter,
  },
  { additionalProperties: false, description: 'Bounded computation over authorized records.' },
);

export const QueryAggregate = Type.Object(
  {
    fn: Type.Union([
      Type.Literal('count_distinct_subjects'),
      Type.Literal('sum'),
      Type.Literal('mean'),
      Type.Literal('quantile'),
    ]),
    attribute: Type.Optional(AttributeName),
    quantile: Type.Optional(DecimalString),
    clamp: Type.Optional(Type.Object({ lower: DecimalString, upper: DecimalString }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

export const QuerySpec = Type.Object(
  {
    kind: Type.Literal('query'),
    filter: Filter,
    group_by: Type.Array(AttributeName, { maxItems: 3 }),
    aggregates: Type.Array(QueryAggregate, { minItems: 1, maxItems: 8 }),
    audience: Type.Optional(
      Type.Object({ max_subjects: Type.Integer({ minimum: 1, maximum: 1_000_000 }) }, { additionalProperties: false }),
    ),
    participation: Type.Optional(
      Type.Object(
        {
          required: Type.Boolean(),
          max_participants: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
          /** How long after admission subjects may accept before the query runs (default: until max_participants). */
          open_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86_400_000 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, description: 'Governed retrieval and aggregation across Vaults.' },
);

export const TrainSpec = Type.Object(
  {
    kind: Type.Literal('train'),
    model: Type.Union([Type.Literal('logistic_regression'), Type.Literal('mlp')]),
    features: Type.Array(AttributeName, { minItems: 1, maxItems: 64 }),
    label: AttributeName,
    filter: Filter,
    hyperparameters: Type.Object(
      {
        rounds: Type.Integer({ minimum: 1, maximum: 1000 }),
        local_epochs: Type.Integer({ minimum: 1, maximum: 100 }),
        learning_rate: DecimalString,
        batch_size: Type.Integer({ minimum: 1, maximum: 65536 }),
        clip_norm: Type.Optional(DecimalString),
        hidden_units: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024 })),
      },
      { additionalProperties: false },
    ),
    min_vaults_per_round: Type.Integer({ minimum: 1, maximum: 1000 }),
    /** The label value that is the positive class (absent: the label is boolean, or the integer 0/1). */
    positive_class: Type.Optional(Scalar),
    /** The training seed (64 hex); absent: the seed of the task's replay context. */
    seed: Type.Optional(Hex64String),
    /** Held-out evaluation: the share of subjects (basis points) each Vault keeps out of training. */
    evaluation: Type.Optional(
      Type.Object({ holdout_bps: Type.Integer({ minimum: 1, maximum: 5000 }) }, { additionalProperties: false }),
    ),
    /** DP training: Gaussian noise of `noise_multiplier` x `clip_norm` on the clipped updates' average. */
    dp: Type.Optional(
      Type.Object({ noise_multiplier: DecimalString, delta: DecimalString }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false, description: 'Federated training; each round is a multi-Vault sub-task.' },
);

export type TrainSpec = Static<typeof TrainSpec>;

export const TaskSpec = Type.Union([ParseSpec, QuerySpec, ComputeSpec, TrainSpec]);
export type TaskSpec = Static<typeof TaskSpec>;
