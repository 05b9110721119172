/**
 * Aggregation inside the aggregation enclave: weighted FedAvg of the Vaults' updates, summed in
 * Vault-id order; with clipping, each update is first scaled to an L2 norm of at most `clip`; with
 * DP, the clipped updates are averaged with equal weights (so one Vault, and so one subject, moves
 * the average by at most clip / n) and Gaussian noise of standard deviation
 * noise_multiplier x clip / n is added to every coordinate, drawn from the secret noise seed only
 * enclaves derive (`loadNoiseSeeder`): drawn from the public training seed, anyone could recompute
 * the noise and subtract it from the released model.
 */
import { Prng } from './prng.ts';

export type Contribution = { vault_id: string; update: Float64Array; weight: number };

export type AggregationSettings = {
  clip?: number;
  dp?: { noiseMultiplier: number };
  /** The secret DP noise seed; required with `dp`. */
  noiseSeed?: string;
  round: number;
};

/** Scales `u` to L2 norm at most `clip` (a copy). */
export function clipUpdate(u: Float64Array, clip: number): Float64Array {
  let sq = 0;
  for (let i = 0; i < u.length; i++) sq += u[i]! * u[i]!;
  const norm = Math.sqrt(sq);
  const scale = norm > clip ? clip / norm : 1;
  const out = new Float64Array(u.length);
  for (let i = 0; i < u.length; i++) out[i] = u[i]! * scale;
  return out;
}

/** The next global model: `global + average(updates)` (+ noise under DP). */
export function aggregate(global: Float64Array, parts: readonly Contribution[], s: AggregationSettings): Float64Array {
  const ordered = [...parts].sort((a, b) => (a.vault_id < b.vault_id ? -1 : a.vault_id > b.vault_id ? 1 : 0));
  const avg = new Float64Array(global.length);
  const dp = s.dp && s.clip !== undefined ? s.dp : undefined;
  let total = 0;
  for (const p of ordered) total += dp ? 1 : p.weight;
  for (const p of ordered) {
    const u = s.clip !== undefined ? clipUpdate(p.update, s.clip) : p.update;
    const w = (dp ? 1 : p.weight) / total;
    for (let i = 0; i < avg.length; i++) avg[i] = avg[i]! + w * u[i]!;
  }
  const next = Float64Array.from(global);
  if (dp && s.noiseSeed === undefined) throw new Error('DP aggregation needs the secret noise seed');
  const prng = dp ? new Prng(s.noiseSeed!, `dp-noise/round-${s.round}`) : undefined;
  const sigma = dp ? (dp.noiseMultiplier * s.clip!) / ordered.length : 0;
  for (let i = 0; i < next.length; i++) next[i] = next[i]! + avg[i]! + (prng ? sigma * prng.nextGaussian() : 0);
  return next;
}
