/**
 * Checks released noise against the mechanism it claims: each noisy value's error against the
 * SQL truth, the scale of its component and the 99% bound stated beside it. The stated bound must
 * be the discrete Laplace 99% bound of that scale; the number of errors past it must be within
 * what 1% allows (upper tail of the exact Poisson-binomial law of the exceedances); and the number
 * past the mechanism's 50% bound must be within both tails of its law, so noise of too small a
 * scale fails as surely as noise of too large a one.
 */
import { type LaplaceScale, laplaceBound } from '@symphony/protocol';

export type NoiseSample = { error: number; scale: LaplaceScale; stated99: number };

/** P(|X| > k) for X discrete Laplace of scale t/s: 2 q^(k+1) / (1 + q), q = e^(-s/t). */
export function exceedance(scale: LaplaceScale, k: number): number {
  const q = Math.exp(-scale.s / scale.t);
  return (2 * q ** (k + 1)) / (1 + q);
}

/** The law of a sum of independent Bernoulli(p_i) (exact, by convolution). */
function poissonBinomial(ps: readonly number[]): number[] {
  let dist = [1];
  for (const p of ps) {
    const next = new Array<number>(dist.length + 1).fill(0);
    for (let i = 0; i < dist.length; i++) {
      next[i]! += dist[i]! * (1 - p);
      next[i + 1]! += dist[i]! * p;
    }
    dist = next;
  }
  return dist;
}

/** The [lo, hi] range holding all but `alpha` of the law in each tail. */
function centralRange(dist: readonly number[], alpha: number): [number, number] {
  let lo = 0;
  for (let below = dist[0]!; below <= alpha && lo < dist.length - 1; below += dist[++lo]!);
  let hi = dist.length - 1;
  for (let above = dist[hi]!; above <= alpha && hi > 0; above += dist[--hi]!);
  return [lo, hi];
}

export type Calibration = {
  ok: boolean;
  samples: number;
  /** Errors past the stated 99% bound, and the most the law of the exceedances allows. */
  outside99: number;
  allowed99: number;
  /** Errors past the mechanism's 50% bound, and the range its law allows. */
  outside50: number;
  range50: [number, number];
  wrongBounds: number;
  message: string;
};

/** Judges samples at a tail probability `alpha` (default 1e-6: a correct mechanism fails once in 10^6 seeds). */
export function calibration(samples: readonly NoiseSample[], alpha = 1e-6): Calibration {
  const wrongBounds = samples.filter((x) => x.stated99 !== laplaceBound(x.scale)).length;
  const outside99 = samples.filter((x) => Math.abs(x.error) > x.stated99).length;
  const [, allowed99] = centralRange(poissonBinomial(samples.map((x) => exceedance(x.scale, x.stated99))), alpha);
  const median = samples.map((x) => laplaceBound(x.scale, 0.5));
  const outside50 = samples.filter((x, i) => Math.abs(x.error) > median[i]!).length;
  const range50 = centralRange(poissonBinomial(samples.map((x, i) => exceedance(x.scale, median[i]!))), alpha);
  const ok = wrongBounds === 0 && outside99 <= allowed99 && outside50 >= range50[0] && outside50 <= range50[1];
  return {
    ok,
    samples: samples.length,
    outside99,
    allowed99,
    outside50,
    range50,
    wrongBounds,
    message: `${samples.length} values: ${outside99} past the stated 99% bound (at most ${allowed99} allowed), ${outside50} past the 50% bound (${range50[0]}..${range50[1]} allowed), ${wrongBounds} stated bounds not the mechanism's`,
  };
}
