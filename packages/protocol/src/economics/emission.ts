/**
 * The bootstrap emission schedule, in exact integer arithmetic. Year y after genesis emits
 * `genesis_supply * emission_year_bps[y] / 10000` (0 past the list); inside a year emission accrues
 * linearly with log time, and an epoch receives what accrued between its opening and its close:
 *
 *   C(t) = sum_{j<y} Y_j + floor(Y_y * (t - y*YEAR) / YEAR)      (t = ms since genesis, y = floor(t/YEAR))
 *   emission(epoch) = C(closed_at) - C(opened_at)
 *
 * so the epochs of a year sum to exactly that year's emission whatever the epoch length, with no
 * remainder lost. The epoch's share splits into the data-quality pool (`data_quality_pool_bps`,
 * rounded down) and the node-operation pool (the rest).
 */
import type { EconomicsParameters } from '../objects/parameter-set.ts';

/** Length of an emission year: 365 days of log time. */
export const EMISSION_YEAR_MS = 31_536_000_000;

/** The SCP bootstrap schedule: 8 %, 5 %, 3 %, 1.5 % of genesis supply per year, then 0. */
export const BOOTSTRAP_EMISSION_YEAR_BPS: readonly number[] = [800, 500, 300, 150];

/** Emission of year `year` (0-based): genesis supply times that year's bps, rounded down. */
export function yearEmission(economics: EconomicsParameters, year: number): bigint {
  const bps = economics.emission_year_bps[year] ?? 0;
  return (BigInt(economics.genesis_supply) * BigInt(bps)) / 10_000n;
}

/** Emission accrued from genesis to `elapsedMs` of log time after it. */
export function cumulativeEmission(economics: EconomicsParameters, elapsedMs: number): bigint {
  if (!Number.isSafeInteger(elapsedMs) || elapsedMs <= 0) return 0n;
  const year = Math.floor(elapsedMs / EMISSION_YEAR_MS);
  let total = 0n;
  for (let j = 0; j < Math.min(year, economics.emission_year_bps.length); j++) total += yearEmission(economics, j);
  const into = BigInt(elapsedMs - year * EMISSION_YEAR_MS);
  return total + (yearEmission(economics, year) * into) / BigInt(EMISSION_YEAR_MS);
}

export type EpochEmission = { total: bigint; data_quality: bigint; node_operation: bigint };

/**
 * What the epoch open from `openedAtMs` to `closedAtMs` (log time) emits, split into its two pools.
 * Without economics parameters nothing is emitted.
 */
export function epochEmission(
  economics: EconomicsParameters | undefined,
  genesisMs: number,
  openedAtMs: number,
  closedAtMs: number,
): EpochEmission {
  if (!economics || closedAtMs <= openedAtMs) return { total: 0n, data_quality: 0n, node_operation: 0n };
  const total =
    cumulativeEmission(economics, closedAtMs - genesisMs) - cumulativeEmission(economics, openedAtMs - genesisMs);
  const data_quality = (total * BigInt(economics.data_quality_pool_bps)) / 10_000n;
  return { total, data_quality, node_operation: total - data_quality };
}
