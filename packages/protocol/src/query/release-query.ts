/**
 * The aggregation enclave's release, as a pure function of the combined partials, the plan and the
 * committed replay seed: bound each subject's contribution (at most `max_groups_per_subject`
 * groups, taken in group-key order; its per-group total clamped), suppress every group resting on
 * fewer than `k_min` distinct subjects (it is left out exactly as an absent group would be), add
 * discrete Laplace noise drawn per (component, group key) from the seed, and list the decisions a
 * verifier replays: groups suppressed, noise scales, and the privacy loss charged per pseudonym.
 */
import { createHash } from 'node:crypto';
import { type LaplaceScale, sampleDiscreteLaplace } from '../privacy/discrete-laplace.ts';
import { SeededIntegers } from '../privacy/seeded-integers.ts';
import { type CombinedGroup, groupKeyText } from './partial-aggregate.ts';
import { bucketOf, bucketValue, readQuantileBucket } from './quantile.ts';
import type { QueryPlan } from './query-plan.ts';

export type ReleasedValue = {
  fn: 'count_distinct_subjects' | 'sum' | 'mean' | 'quantile';
  attribute?: string;
  /** Quantile only: q as the spec wrote it. */
  quantile?: string;
  /** A count as an integer; a sum, mean or quantile as a decimal string. */
  value: number | string;
  /**
   * Half-width of the 99% interval of the noise around the true value (same unit as `value`; 0
   * without noise). For a quantile: the bucket width w, with `rank_bound99` R the 99% bound on the
   * rank error (the value lies within w of the values at ranks k − R .. k + R, k the exact rank).
   */
  bound99: number | string;
  rank_bound99?: number;
};

export type ReleasedRow = { group: Record<string, string | number | boolean | null>; values: ReleasedValue[] };

/** The released result: rows of released groups only, in group-key order. */
export type QueryResult = { rows: ReleasedRow[] };

export type ReleaseDecisions = {
  groups_released: number;
  groups_suppressed: number;
  /** Subjects whose records were read (after contribution bounding), each charged `epsilon_micro`. */
  charged: string[];
  /** Sorted pseudonyms of each released group (the differencing check compares them). */
  released_sets: string[][];
};

/**
 * True (noise-free) component values per group, for the oracle and property tests (a histogram
 * component's value is its subject count; its bucket counts are in `histograms` by component index).
 */
export type TrueGroup = {
  key: CombinedGroup['key'];
  subjects: number;
  components: number[];
  histograms?: Record<number, number[]>;
};

/**
 * An audience selection: the noisy eligible-subject count, and the pseudonyms a sealed handle will
 * name (at most `max_subjects`, chosen by a seeded order). Under k_min eligible subjects it is
 * released as an empty audience, exactly as when nobody is eligible.
 */
export type AudienceSelection = { eligible: number; bound99: number; members: string[] };

/** One noise value drawn from the seed: its label (component, group key, bucket) and its value. */
export type NoiseDraw = { label: string; value: number };

export type Released = {
  result: QueryResult;
  /** Every noise value drawn, in draw order: the aggregation transcript commits to them. */
  noise: NoiseDraw[];
  decisions: ReleaseDecisions;
  truth: TrueGroup[];
  audience?: AudienceSelection;
};

const clamp = (x: number, lo: number, hi: number) => (x < lo ? lo : Math.min(x, hi));

/** Formats a fixed-point integer as a decimal string. */
export function formatFixed(value: number, scale: number): string {
  const digits = Math.round(Math.log10(scale));
  const negative = value < 0;
  const abs = Math.abs(value);
  const whole = Math.floor(abs / scale);
  const frac = (abs % scale).toString().padStart(digits, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** Each subject's groups after contribution bounding: the first `max` group keys in key order. */
export function boundContributions(groups: Map<string, CombinedGroup>, max: number): Map<string, Set<string>> {
  const bySubject = new Map<string, string[]>();
  for (const text of [...groups.keys()].sort()) {
    for (const p of groups.get(text)!.subjects.keys()) {
      const list = bySubject.get(p);
      if (!list) bySubject.set(p, [text]);
      else if (list.length < max) list.push(text);
    }
  }
  const kept = new Map<string, Set<string>>();
  for (const [p, texts] of bySubject) {
    for (const t of texts) {
      const s = kept.get(t) ?? new Set<string>();
      s.add(p);
      kept.set(t, s);
    }
  }
  return kept;
}

/** The true values of every group after contribution bounding and clamping (before suppression and noise). */
export function trueValues(plan: QueryPlan, groups: Map<string, CombinedGroup>): TrueGroup[] {
  const kept = boundContributions(groups, plan.max_groups_per_subject);
  const out: TrueGroup[] = [];
  for (const text of [...groups.keys()].sort()) {
    const g = groups.get(text)!;
    const subjects = kept.get(text) ?? new Set<string>();
    let histograms: Record<number, number[]> | undefined;
    const components = plan.components.map((c, ci) => {
      if (c.kind === 'count') return subjects.size;
      const i = plan.summed.indexOf(c.attribute!);
      if (c.kind === 'histogram') {
        const counts = new Array<number>(c.layout!.buckets).fill(0);
        for (const p of subjects) counts[bucketOf(c.layout!, clamp(g.subjects.get(p)![i]!, c.lower, c.upper))]! += 1;
        histograms = { ...histograms, [ci]: counts };
        return subjects.size;
      }
      let total = 0;
      for (const p of subjects) total += clamp(g.subjects.get(p)![i]!, c.lower, c.upper);
      return total;
    });
    if (subjects.size > 0)
      out.push({ key: g.key, subjects: subjects.size, components, ...(histograms ? { histograms } : {}) });
  }
  return out;
}

/** Releases a query from combined partials. */
export function releaseQuery(plan: QueryPlan, groups: Map<string, CombinedGroup>, seed: string): Released {
  const truth = trueValues(plan, groups);
  const kept = boundContributions(groups, plan.max_groups_per_subject);
  const charged = new Set<string>();
  for (const set of kept.values()) for (const p of set) charged.add(p);
  const rows: ReleasedRow[] = [];
  const released_sets: string[][] = [];
  const noise: NoiseDraw[] = [];
  const draw = (label: string, scale: LaplaceScale): number => {
    const value = sampleDiscreteLaplace(new SeededIntegers(seed, label), scale);
    noise.push({ label, value });
    return value;
  };
  let suppressed = 0;
  for (const g of truth) {
    if (g.subjects < plan.k_min) {
      suppressed++;
      continue;
    }
    const text = groupKeyText(g.key);
    const noisy = g.components.map((v, ci) => {
      const scale = plan.components[ci]!.scale;
      return scale ? v + draw(`${ci}\u0000${text}`, scale) : v;
    });
    // Each histogram bucket draws its own noise, labelled by component, group key and bucket.
    const noisyHistograms = new Map<number, number[]>();
    for (const [ci, counts] of Object.entries(g.histograms ?? {})) {
      const scale = plan.components[Number(ci)]!.scale;
      noisyHistograms.set(
        Number(ci),
        counts.map((n, b) => (scale ? n + draw(`${ci}\u0000${text}\u0000${b}`, scale) : n)),
      );
    }
    const values: ReleasedValue[] = plan.aggregates.map((a) => {
      const [first, second] = a.components as [number, number?];
      const c = plan.components[first]!;
      if (a.fn === 'count_distinct_subjects') return { fn: a.fn, value: noisy[first]!, bound99: c.bound99 };
      if (a.fn === 'quantile') {
        const layout = c.layout!;
        const bucket = readQuantileBucket(noisyHistograms.get(first)!, a.quantile_micro!);
        return {
          fn: a.fn,
          attribute: a.attribute!,
          quantile: a.quantile!,
          value: formatFixed(bucketValue(layout, bucket), plan.value_scale),
          bound99: formatFixed(layout.width, plan.value_scale),
          rank_bound99: c.rank_bound99!,
        };
      }
      const sum = { fn: a.fn, attribute: a.attribute! };
      if (a.fn === 'sum')
        return {
          ...sum,
          value: formatFixed(noisy[first]!, plan.value_scale),
          bound99: formatFixed(c.bound99, plan.value_scale),
        };
      const count = Math.max(1, noisy[second!]!);
      // The mean of noisy parts; its bound is that of the sum over the count's lower 99% end.
      const low = Math.max(1, noisy[second!]! - plan.components[second!]!.bound99);
      return {
        ...sum,
        value: formatFixed(Math.trunc(noisy[first]! / count), plan.value_scale),
        bound99: formatFixed(Math.ceil(c.bound99 / low), plan.value_scale),
      };
    });
    rows.push({ group: Object.fromEntries(plan.group_by.map((attr, i) => [attr, g.key[i] ?? null])), values });
    released_sets.push([...(kept.get(text) ?? [])].sort());
  }
  let audience: AudienceSelection | undefined;
  if (plan.audience) {
    const a = plan.audience;
    if (charged.size < plan.k_min) audience = { eligible: 0, bound99: a.bound99, members: [] };
    else {
      const offset = a.scale ? draw('audience', a.scale) : 0;
      const order = (p: string) => createHash('sha256').update(`${seed}\u0000${p}`).digest('hex');
      const members = [...charged]
        .map((p) => [order(p), p] as const)
        .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
        .slice(0, a.max_subjects)
        .map(([, p]) => p)
        .sort();
      audience = { eligible: Math.max(0, charged.size + offset), bound99: a.bound99, members };
    }
  }
  return {
    ...(audience ? { audience } : {}),
    result: { rows },
    noise,
    decisions: {
      groups_released: rows.length,
      groups_suppressed: suppressed,
      charged: [...charged].sort(),
      released_sets,
    },
    truth,
  };
}
