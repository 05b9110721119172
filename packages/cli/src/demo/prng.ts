/**
 * A small seeded pseudo-random generator (mulberry32) for deterministic demo data. It is not
 * cryptographic and never used for anything but generating test data.
 */

/** A deterministic source of uniform numbers in [0, 1) plus the helpers the dataset needs. */
export type Prng = {
  /** Uniform number in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element of a non-empty list, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** One element of a non-empty list, with the given non-negative weights. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T;
};

/** Mixes a 32-bit value (splitmix32 finalizer): derives independent seeds from (seed, index). */
export function mixSeed(seed: number, index: number): number {
  let z = (seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** Creates a mulberry32 generator from a 32-bit seed (other numbers are truncated to 32 bits). */
export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(next() * items.length)] as T;
  };
  const weighted = <T>(items: readonly T[], weights: readonly number[]): T => {
    if (items.length === 0 || items.length !== weights.length)
      throw new RangeError('weighted pick needs one weight per item');
    const total = weights.reduce((sum, w) => sum + w, 0);
    let point = next() * total;
    for (let i = 0; i < items.length; i++) {
      point -= weights[i] ?? 0;
      if (point < 0) return items[i] as T;
    }
    return items[items.length - 1] as T;
  };
  return { next, int, chance: (p) => next() < p, pick, weighted };
}
