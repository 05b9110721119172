/**
 * The discrete Laplace mechanism with exact integer sampling (Canonne, Kamath, Steinke 2020,
 * "The Discrete Gaussian for Differential Privacy", algorithms 1 and 2): no floating point is used
 * to draw, only uniform integers and rational comparisons, so the noise has exactly the law
 * P(x) ∝ exp(-|x| / b) with b = t / s and is the same on every node for the same seed.
 *
 * For an integer query with L1 sensitivity Δ released with privacy loss ε = num/den, the scale is
 * b = Δ / ε = Δ·den / num, i.e. t = Δ·den and s = num.
 */
import type { SeededIntegers } from './seeded-integers.ts';

/** A positive rational scale b = t / s of the discrete Laplace distribution. */
export type LaplaceScale = { t: number; s: number };

/** Bernoulli(n / d) for 0 <= n <= d. */
function bernoulli(rng: SeededIntegers, n: number, d: number): boolean {
  return rng.below(d) < n;
}

/** Bernoulli(exp(-n/d)) for n/d in [0, 1] (CKS algorithm 1, first case). */
function bernoulliExpSmall(rng: SeededIntegers, n: number, d: number): boolean {
  let k = 1;
  // A_k ~ Bernoulli(γ / k) until the first 0; the parity of the stopping index decides.
  while (bernoulli(rng, n, d * k)) k++;
  return k % 2 === 1;
}

/** Bernoulli(exp(-n/d)) for any rational n/d >= 0. */
export function bernoulliExp(rng: SeededIntegers, n: number, d: number): boolean {
  if (n < 0 || d <= 0 || !Number.isSafeInteger(n) || !Number.isSafeInteger(d)) throw new RangeError('bernoulliExp');
  if (n <= d) return bernoulliExpSmall(rng, n, d);
  const whole = Math.floor(n / d);
  for (let i = 0; i < whole; i++) if (!bernoulliExpSmall(rng, 1, 1)) return false;
  return bernoulliExpSmall(rng, n - whole * d, d);
}

/** One draw of the discrete Laplace distribution with scale t/s (CKS algorithm 2). */
export function sampleDiscreteLaplace(rng: SeededIntegers, scale: LaplaceScale): number {
  const { t, s } = scale;
  if (!Number.isSafeInteger(t) || !Number.isSafeInteger(s) || t < 1 || s < 1) throw new RangeError('scale');
  for (;;) {
    const u = rng.below(t);
    if (!bernoulliExp(rng, u, t)) continue;
    let v = 0;
    while (bernoulliExp(rng, 1, 1)) v++;
    const x = u + t * v;
    const y = Math.floor(x / s);
    const negative = rng.below(2) === 1;
    if (negative && y === 0) continue;
    return negative ? -y : y;
  }
}

/** The scale b = Δ / ε for an integer sensitivity Δ and ε = num / den (in lowest terms is not required). */
export function laplaceScale(sensitivity: number, epsilon: { num: number; den: number }): LaplaceScale {
  if (!Number.isSafeInteger(sensitivity) || sensitivity < 1) throw new RangeError('sensitivity');
  return { t: sensitivity * epsilon.den, s: epsilon.num };
}

/**
 * The smallest integer k with P(|X| > k) <= 1 - confidence for X discrete Laplace of scale b:
 * P(|X| >= m) = 2 e^(-m/b) / (1 + e^(-1/b)) for m >= 1. Reported beside each noisy value.
 */
export function laplaceBound(scale: LaplaceScale, confidence = 0.99): number {
  const b = scale.t / scale.s;
  const q = Math.exp(-1 / b);
  const alpha = 1 - confidence;
  // P(|X| >= k + 1) <= alpha  <=>  k + 1 >= -b ln(alpha (1 + q) / 2)
  const m = Math.ceil(-b * Math.log((alpha * (1 + q)) / 2) - 1e-9);
  return Math.max(0, m - 1);
}

/** The probability mass of the discrete Laplace distribution at x (for tests and documentation). */
export function laplaceMass(scale: LaplaceScale, x: number): number {
  const q = Math.exp(-scale.s / scale.t);
  return ((1 - q) / (1 + q)) * q ** Math.abs(x);
}
