/**
 * Plans a `query` task: checks the spec against the policy (fail closed, a typed code naming the
 * field), fixes each aggregate's clamping bounds in fixed point, its L1 sensitivity from the
 * clamping and contribution bounds, its share of the query's privacy loss and its noise scale.
 * Pure: the same spec and policy give the same plan on every node.
 */
import type { Static } from 'typebox';
import type { QuerySpec } from '../objects/task-spec.ts';
import { type LaplaceScale, laplaceBound } from '../privacy/discrete-laplace.ts';
import { type QuantileLayout, quantileLayout, quantileMicro, quantileRankBound } from './quantile.ts';
import type { QueryPolicy } from './query-policy.ts';

type Spec = Static<typeof QuerySpec>;

/**
 * One released quantity: a distinct-subject count, a clamped sum (a mean is a sum over a count) or
 * a histogram of clamped per-subject totals over fixed buckets (quantiles are read from it).
 */
export type PlannedComponent = {
  kind: 'count' | 'sum' | 'histogram';
  attribute?: string;
  /** Per-subject per-group total clamped into [lower, upper], fixed point (`value_scale`). */
  lower: number;
  upper: number;
  /** L1 sensitivity of the vector of this component over all groups, fixed point. */
  sensitivity: number;
  /** Discrete Laplace scale t/s; absent without noise (threshold-only configuration). */
  scale?: LaplaceScale;
  /** The 99% bound of the noise, fixed point (0 without noise); of one bucket count for a histogram. */
  bound99: number;
  /** Histogram only: the bucket layout over [lower, upper] and the 99% rank bound of a quantile read from it. */
  layout?: QuantileLayout;
  rank_bound99?: number;
};

export type PlannedAggregate = {
  fn: 'count_distinct_subjects' | 'sum' | 'mean' | 'quantile';
  attribute?: string;
  /** Quantile only: q as written in the spec, and in micro units. */
  quantile?: string;
  quantile_micro?: number;
  /** Indexes into `components`: [count] | [sum] | [sum, count] | [histogram]. */
  components: number[];
};

export type QueryPlan = {
  group_by: string[];
  aggregates: PlannedAggregate[];
  components: PlannedComponent[];
  /** Attributes the per-Vault partial sums per subject and group (distinct, in first-use order). */
  summed: string[];
  epsilon_micro: number;
  k_min: number;
  max_groups_per_subject: number;
  value_scale: number;
  /** Audience selection: how many subjects a handle may name, and the noise of the eligible count. */
  audience?: { max_subjects: number; scale?: LaplaceScale; bound99: number };
};

export type PlanRefusal = { code: string; field: string; message: string };
export type PlanOutcome = { ok: true; plan: QueryPlan } | { ok: false; refusal: PlanRefusal };

const refused = (code: string, field: string, message: string): PlanOutcome => ({
  ok: false,
  refusal: { code, field, message },
});

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Parses a decimal clamping bound into fixed point (at most 6 fraction digits, rounded toward zero). */
export function toFixedPoint(text: string, value_scale: number): number | undefined {
  const m = /^(-?)(\d{1,15})(?:\.(\d{1,6}))?$/.exec(text);
  if (!m) return undefined;
  const micro = Number(m[2]) * 1_000_000 + Number((m[3] ?? '').padEnd(6, '0'));
  const scaled = Math.trunc((micro * value_scale) / 1_000_000);
  return m[1] === '-' ? -scaled : scaled;
}

/** The noise scale of a component with L1 sensitivity Δ given ε_micro / parts. */
function scaleFor(sensitivity: number, epsilon_micro: number, parts: number): LaplaceScale | undefined {
  let t = sensitivity * 1_000_000 * parts;
  let s = epsilon_micro;
  const g = gcd(t, s);
  t /= g;
  s /= g;
  if (!Number.isSafeInteger(t) || t > 2 ** 48) return undefined;
  return { t, s };
}

export function planQuery(spec: Spec, policy: QueryPolicy): PlanOutcome {
  const identifying = new Set(policy.identifying_attributes);
  for (const [i, c] of spec.filter.entries()) {
    if (identifying.has(c.attribute) && (c.op === 'eq' || c.op === 'in'))
      return refused('identifying_filter', `spec.filter[${i}]`, `equality on identifying attribute ${c.attribute}`);
  }
  for (const [i, g] of spec.group_by.entries()) {
    if (identifying.has(g)) return refused('identifying_group_by', `spec.group_by[${i}]`, `group by ${g}`);
  }
  if (new Set(spec.group_by).size !== spec.group_by.length)
    return refused('duplicate_group_by', 'spec.group_by', 'an attribute is grouped twice');
  const G = Math.max(1, policy.max_groups_per_subject);
  const noisy = policy.epsilon_micro > 0;
  type Kind = PlannedComponent['kind'];
  const wanted: { kind: Kind; attribute?: string; lower: number; upper: number }[] = [];
  const aggregates: PlannedAggregate[] = [];
  const componentIndex = (kind: Kind, attribute?: string, lower = 0, upper = 1) => {
    const found = wanted.findIndex(
      (w) => w.kind === kind && w.attribute === attribute && w.lower === lower && w.upper === upper,
    );
    if (found >= 0) return found;
    wanted.push({ kind, ...(attribute ? { attribute } : {}), lower, upper });
    return wanted.length - 1;
  };
  for (const [i, a] of spec.aggregates.entries()) {
    const field = `spec.aggregates[${i}]`;
    if (a.fn === 'count_distinct_subjects') {
      aggregates.push({ fn: a.fn, components: [componentIndex('count')] });
      continue;
    }
    if (!a.attribute) return refused('missing_attribute', `${field}.attribute`, `${a.fn} needs an attribute`);
    if (identifying.has(a.attribute))
      return refused('identifying_aggregate', `${field}.attribute`, `aggregate over ${a.attribute}`);
    if (!a.clamp) return refused('missing_clamp', `${field}.clamp`, `${a.fn} needs declared clamping bounds`);
    const lower = toFixedPoint(a.clamp.lower, policy.value_scale);
    const upper = toFixedPoint(a.clamp.upper, policy.value_scale);
    if (lower === undefined || upper === undefined || lower > upper)
      return refused('invalid_clamp', `${field}.clamp`, 'clamp needs decimals with lower <= upper');
    if (a.fn === 'quantile') {
      const q = quantileMicro(a.quantile);
      if (q === undefined)
        return refused('invalid_quantile', `${field}.quantile`, 'quantile needs a decimal q with 0 <= q <= 1');
      // Quantiles of one attribute and clamp share one histogram (one share of ε).
      aggregates.push({
        fn: a.fn,
        attribute: a.attribute,
        quantile: a.quantile!,
        quantile_micro: q,
        components: [componentIndex('histogram', a.attribute, lower, upper)],
      });
      continue;
    }
    const sum = componentIndex('sum', a.attribute, lower, upper);
    aggregates.push({
      fn: a.fn,
      attribute: a.attribute,
      components: a.fn === 'mean' ? [sum, componentIndex('count')] : [sum],
    });
  }
  // The eligible-subject count of an audience is one more released quantity (sensitivity 1).
  const parts = wanted.length + (spec.audience ? 1 : 0);
  let audience: QueryPlan['audience'];
  if (spec.audience) {
    const scale = noisy ? scaleFor(1, policy.epsilon_micro, parts) : undefined;
    audience = {
      max_subjects: spec.audience.max_subjects,
      ...(scale ? { scale } : {}),
      bound99: scale ? laplaceBound(scale) : 0,
    };
  }
  const components: PlannedComponent[] = [];
  for (const [i, w] of wanted.entries()) {
    // A subject adds 1 to a count, its clamped total to a sum, 1 to one bucket of a histogram, per group.
    const perSubject = w.kind === 'sum' ? Math.max(Math.abs(w.lower), Math.abs(w.upper), 1) : 1;
    const sensitivity = perSubject * G;
    let scale: LaplaceScale | undefined;
    if (noisy) {
      scale = scaleFor(sensitivity, policy.epsilon_micro, parts);
      if (!scale)
        return refused('noise_scale_out_of_range', `spec.aggregates`, `component ${i} needs too large a scale`);
    }
    const layout = w.kind === 'histogram' ? quantileLayout(w.lower, w.upper, policy.quantile_buckets) : undefined;
    components.push({
      ...w,
      sensitivity,
      ...(scale ? { scale } : {}),
      bound99: scale ? laplaceBound(scale) : 0,
      ...(layout ? { layout, rank_bound99: quantileRankBound(scale, layout.buckets) } : {}),
    });
  }
  return {
    ok: true,
    plan: {
      group_by: [...spec.group_by],
      aggregates,
      components,
      summed: [...new Set(components.filter((c) => c.kind !== 'count').map((c) => c.attribute!))],
      epsilon_micro: noisy ? policy.epsilon_micro : 0,
      k_min: policy.k_min,
      max_groups_per_subject: G,
      value_scale: policy.value_scale,
      ...(audience ? { audience } : {}),
    },
  };
}
