/**
 * Standardization statistics as a governed aggregate: each Vault's enclave computes sufficient
 * statistics of its training split (count, per-feature sum and sum of squares) and sends them
 * encrypted to the aggregation enclave, which sums them in Vault order and releases only the
 * pooled mean and standard deviation per feature, and only when they rest on at least k_min
 * distinct subjects. Per-Vault statistics never leave the enclaves.
 */

import { modelHash } from '@symphony/protocol';
import { concatBytes } from './bytes.ts';
import type { Examples } from './examples.ts';
import { encodeFloats } from './model-codec.ts';

/** One Vault's sufficient statistics (never released). */
export type LocalStats = { n: number; sum: number[]; sumsq: number[] };

/** The released statistics: mean and standard deviation per feature, and their hash. */
export type Standardization = { mean: Float64Array; std: Float64Array };

export function localStats(e: Examples, features: number): LocalStats {
  const sum = new Array<number>(features).fill(0);
  const sumsq = new Array<number>(features).fill(0);
  for (const x of e.x)
    for (let i = 0; i < features; i++) {
      sum[i] = sum[i]! + x[i]!;
      sumsq[i] = sumsq[i]! + x[i]! * x[i]!;
    }
  return { n: e.x.length, sum, sumsq };
}

/** Pools statistics given in Vault order. Undefined when there is no example at all. */
export function pooledStandardization(parts: readonly LocalStats[], features: number): Standardization | undefined {
  let n = 0;
  const sum = new Float64Array(features);
  const sumsq = new Float64Array(features);
  for (const p of parts) {
    n += p.n;
    for (let i = 0; i < features; i++) {
      sum[i] = sum[i]! + p.sum[i]!;
      sumsq[i] = sumsq[i]! + p.sumsq[i]!;
    }
  }
  if (n === 0) return undefined;
  const mean = new Float64Array(features);
  const std = new Float64Array(features);
  for (let i = 0; i < features; i++) {
    mean[i] = sum[i]! / n;
    const variance = Math.max(sumsq[i]! / n - mean[i]! * mean[i]!, 0);
    std[i] = variance > 1e-12 ? Math.sqrt(variance) : 1;
  }
  return { mean, std };
}

/** The hash of released statistics: mean then std, as exact float64 bytes. */
export const standardizationHash = (s: Standardization) =>
  modelHash(concatBytes(encodeFloats(s.mean), encodeFloats(s.std)));

/** Standardizes examples in place-free fashion: new rows `(x - mean) / std`. */
export function standardize(e: Examples, s: Standardization): Examples {
  return {
    x: e.x.map((row) => {
      const out = new Float64Array(row.length);
      for (let i = 0; i < row.length; i++) out[i] = (row[i]! - s.mean[i]!) / s.std[i]!;
      return out;
    }),
    y: e.y,
    subjects: e.subjects,
  };
}
