/**
 * The privacy policy a query is released under, read from the parameter set of the task's
 * `policy_version` (`queryPolicyOf`): `k_min`, and its optional `query` block over the defaults of
 * this protocol version (documented in docs/protocol.md, "Query, privacy budgets and noise").
 * `thresholdOnly` is the weak configuration the attack tests compare against: suppression only, no
 * noise, no budget, no differencing check.
 */
import type { ParameterSet } from '../objects/parameter-set.ts';

export type QueryPolicy = {
  k_min: number;
  /** Privacy loss of one released query, micro-epsilon (1_000_000 = ε of 1). 0: no noise (threshold only). */
  epsilon_micro: number;
  /** Budget of one subject per usage scope and window, micro-epsilon. */
  budget_micro: number;
  /** Epochs per budget window; budgets refresh at the window boundary. */
  window_epochs: number;
  /** Groups one subject may contribute to in one query (the contribution bound across groups). */
  max_groups_per_subject: number;
  /** Refuse a released subject set that differs from an earlier one of the same submitter group by fewer than k_min. */
  differencing_check: boolean;
  /** Epochs an earlier release is compared against. */
  differencing_window_epochs: number;
  /** Attributes that single out a person: filters by equality or set membership on them are refused. */
  identifying_attributes: readonly string[];
  /** Submitters the policy treats as one (e.g. the actors of one organisation): actor -> group. */
  submitter_groups: Readonly<Record<string, string>>;
  /** Fixed-point scale of summed values: values are clamped, then multiplied by this and rounded. */
  value_scale: number;
  /** Buckets of the DP histogram a quantile is read from (over the declared clamp range). */
  quantile_buckets: number;
};

/** The query policy in force for a parameter set's `k_min`. */
export function defaultQueryPolicy(k_min: number): QueryPolicy {
  return {
    k_min,
    epsilon_micro: 100_000,
    budget_micro: 1_000_000,
    window_epochs: 24 * 30,
    max_groups_per_subject: 4,
    differencing_check: true,
    differencing_window_epochs: 24 * 30,
    identifying_attributes: ['subject', 'subject_id', 'user_id', 'email', 'phone', 'card_number', 'account_id'],
    submitter_groups: {},
    value_scale: 100,
    quantile_buckets: 32,
  };
}

/** The query policy of a parameter set: its `query` block over the defaults (absent fields = default). */
export function queryPolicyOf(params: Pick<ParameterSet, 'k_min' | 'query'>): QueryPolicy {
  const q = params.query ?? {};
  const base = defaultQueryPolicy(params.k_min);
  return {
    ...base,
    ...(q.epsilon_micro !== undefined ? { epsilon_micro: q.epsilon_micro } : {}),
    ...(q.budget_micro !== undefined ? { budget_micro: q.budget_micro } : {}),
    ...(q.window_epochs !== undefined ? { window_epochs: q.window_epochs } : {}),
    ...(q.max_groups_per_subject !== undefined ? { max_groups_per_subject: q.max_groups_per_subject } : {}),
    ...(q.differencing_window_epochs !== undefined ? { differencing_window_epochs: q.differencing_window_epochs } : {}),
    ...(q.identifying_attributes !== undefined ? { identifying_attributes: [...q.identifying_attributes] } : {}),
    ...(q.submitter_groups !== undefined ? { submitter_groups: { ...q.submitter_groups } } : {}),
    ...(q.quantile_buckets !== undefined ? { quantile_buckets: q.quantile_buckets } : {}),
  };
}

/** Suppression only: what the attack tests show is not enough. */
export function thresholdOnlyPolicy(k_min: number): QueryPolicy {
  return {
    ...defaultQueryPolicy(k_min),
    epsilon_micro: 0,
    budget_micro: Number.MAX_SAFE_INTEGER,
    differencing_check: false,
    identifying_attributes: [],
    max_groups_per_subject: 1_000_000,
  };
}
