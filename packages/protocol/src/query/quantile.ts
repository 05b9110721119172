/**
 * The differentially private quantile: per released group, a histogram of the subjects' clamped
 * per-group totals over a fixed bucket layout derived from the declared clamp bounds, each bucket
 * count noised with discrete Laplace (a subject falls in exactly one bucket of each group it
 * contributes to, so the histogram vector over all groups has L1 sensitivity `G`), and the quantile
 * read from the noisy cumulative counts (post-processing, so it costs nothing beyond the histogram).
 *
 * Accuracy, stated with every release: let x(r) be the r-th smallest clamped per-subject total of
 * the group (x(r) = lower for r < 1, upper for r > n) and k = max(1, ceil(q·n)) the rank
 * PostgreSQL's `percentile_disc(q)` returns. With probability at least 99% the released value lies
 * in [x(k − R) − w, x(k + R) + w], w the bucket width and R = `rank_bound99`. Without noise R = 0:
 * the released bucket is the one holding x(k). Pure; all values fixed point integers.
 */
import type { LaplaceScale } from '../privacy/discrete-laplace.ts';

/** Buckets of width `width` from `lower`: bucket i holds [lower + i·width, lower + (i+1)·width − 1]. */
export type QuantileLayout = { lower: number; upper: number; width: number; buckets: number };

/** The layout over [lower, upper] (fixed point) in at most `maxBuckets` buckets of equal integer width. */
export function quantileLayout(lower: number, upper: number, maxBuckets: number): QuantileLayout {
  const span = upper - lower + 1;
  const width = Math.max(1, Math.ceil(span / Math.max(1, maxBuckets)));
  return { lower, upper, width, buckets: Math.ceil(span / width) };
}

/** The bucket of a clamped value. */
export const bucketOf = (layout: QuantileLayout, clamped: number): number =>
  Math.min(layout.buckets - 1, Math.max(0, Math.floor((clamped - layout.lower) / layout.width)));

/** The value released for a bucket: its midpoint, never past `upper`. */
export const bucketValue = (layout: QuantileLayout, bucket: number): number =>
  Math.min(layout.upper, layout.lower + bucket * layout.width + Math.floor((layout.width - 1) / 2));

/** A quantile as a decimal in [0, 1] to micro units, or undefined. */
export function quantileMicro(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(0|1)(?:\.(\d{1,6}))?$/.exec(text);
  if (!m) return undefined;
  const micro = Number(m[1]) * 1_000_000 + Number((m[2] ?? '').padEnd(6, '0'));
  return micro <= 1_000_000 ? micro : undefined;
}

/** The rank `percentile_disc(q)` selects among n values: max(1, ceil(q·n)). */
export const targetRank = (q_micro: number, n: number): number =>
  Math.max(1, Math.floor((q_micro * Math.max(0, n) + 999_999) / 1_000_000));

/**
 * The bucket a quantile is read from in (noisy) bucket counts: the cumulative counts are made
 * monotone (running maximum), the total is the last of them, and the bucket is the first whose
 * cumulative count reaches the target rank of that total (the last bucket if none does).
 */
export function readQuantileBucket(counts: readonly number[], q_micro: number): number {
  const cumulative: number[] = [];
  let running = 0;
  let best = Number.NEGATIVE_INFINITY;
  for (const c of counts) {
    running += c;
    best = Math.max(best, running);
    cumulative.push(best);
  }
  const total = Math.max(0, cumulative[cumulative.length - 1] ?? 0);
  const k = targetRank(q_micro, total);
  const j = cumulative.findIndex((c) => c >= k);
  return j >= 0 ? j : counts.length - 1;
}

/**
 * R_E: with probability at least 99%, every prefix sum of `buckets` independent discrete Laplace
 * draws of this scale is at most R_E in absolute value. Lévy's maximal inequality for symmetric
 * summands, P(max_j |S_j| ≥ t) ≤ 2 P(|S_B| ≥ t), with the Chernoff bound
 * P(|S_B| ≥ t) ≤ 2 e^(−λt) M(λ)^B (M the moment generating function of one draw, 0 < λ < 1/b),
 * minimised over a fixed grid of λ. The quantile's rank error is at most 2·R_E (the target rank
 * moves with the noisy total by at most R_E, the crossing point by at most R_E more).
 */
export function prefixNoiseBound(scale: LaplaceScale, buckets: number, confidence = 0.99): number {
  const b = scale.t / scale.s;
  const q = Math.exp(-1 / b);
  const norm = (1 - q) / (1 + q);
  const logTail = Math.log(4 / (1 - confidence));
  let best = Number.POSITIVE_INFINITY;
  for (let i = 1; i < 100; i++) {
    const lambda = ((i / 100) * 1) / b;
    const a = q * Math.exp(lambda);
    const c = q * Math.exp(-lambda);
    if (a >= 1) continue;
    const mgf = norm * (1 + a / (1 - a) + c / (1 - c));
    const t = Math.ceil((buckets * Math.log(mgf) + logTail) / lambda - 1e-9);
    if (t < best) best = t;
  }
  return best;
}

/** The 99% rank bound R of a quantile released from a histogram with this noise (0 without noise). */
export const quantileRankBound = (scale: LaplaceScale | undefined, buckets: number): number =>
  scale ? 2 * prefixNoiseBound(scale, buckets) : 0;
