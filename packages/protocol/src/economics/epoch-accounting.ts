/**
 * The accounting of one settled epoch: every task's fee split, the epoch's emission distributed
 * over its pools, and the totals that must balance exactly:
 *
 *   sum(escrowed max fees) + emission = sum(rewards) + treasury + refunds
 *
 * where rewards are every non-treasury line (fee shares and emission), treasury is every treasury
 * line (fee remainders, unfilled roles, undistributed emission) and refunds are `max_fee - fee`.
 */
import type { ContributorRole } from '../objects/common.ts';
import type { Contribution } from '../objects/execution-receipt.ts';
import type { ParameterSet } from '../objects/parameter-set.ts';
import type { EpochEmission } from './emission.ts';
import { normalizeContributions, type RewardLine, splitFee } from './reward-split.ts';

/** The roles paid from each emission pool. */
export const EMISSION_POOLS = {
  data_quality: ['data_producer'],
  node_operation: ['vault_operator', 'executor', 'verifier'],
} as const satisfies Record<string, readonly ContributorRole[]>;
export type EmissionPool = keyof typeof EMISSION_POOLS;

export type EmissionLine = RewardLine & { task_id: string; pool: EmissionPool | 'treasury' };

/**
 * Distributes the epoch's emission over its settled tasks (in leaf order): each pool is divided
 * among every (task, account, role) contribution of its roles by units, rounded down; every
 * remainder and a pool without contributors go to the treasury, in one line attached to the first
 * task. The lines sum to `emission.total`; an epoch without tasks mints nothing (empty result).
 */
export function distributeEmission(
  emission: EpochEmission,
  tasks: readonly { task_id: string; contributions: readonly Contribution[] }[],
  treasuryAccount: string,
): EmissionLine[] {
  if (tasks.length === 0 || emission.total === 0n) return [];
  const lines: EmissionLine[] = [];
  let distributed = 0n;
  const merged = tasks.map((t) => ({ task_id: t.task_id, contributions: normalizeContributions(t.contributions) }));
  for (const pool of ['data_quality', 'node_operation'] as const) {
    const amount = emission[pool];
    const roles = EMISSION_POOLS[pool] as readonly ContributorRole[];
    const members = merged.flatMap((t) =>
      t.contributions.filter((c) => roles.includes(c.role) && c.units > 0).map((c) => ({ ...c, task_id: t.task_id })),
    );
    const units = members.reduce((s, c) => s + BigInt(c.units), 0n);
    if (units === 0n || amount === 0n) continue;
    for (const c of members) {
      const share = (amount * BigInt(c.units)) / units;
      if (share === 0n) continue;
      lines.push({ task_id: c.task_id, account: c.account, role: c.role, units: c.units, amount: share, pool });
      distributed += share;
    }
  }
  const rest = emission.total - distributed;
  if (rest > 0n) {
    lines.push({
      task_id: tasks[0]!.task_id,
      account: treasuryAccount,
      role: 'treasury',
      units: 1,
      amount: rest,
      pool: 'treasury',
    });
  }
  return lines;
}

export type SettledTask = {
  task_id: string;
  max_fee: bigint;
  fee: bigint;
  contributions: readonly Contribution[];
  split: ParameterSet['reward_split_bps'];
};

export type EpochLedger = {
  fee_lines: { task_id: string; lines: RewardLine[] }[];
  emission_lines: EmissionLine[];
  /** `emission` is what was minted: the epoch's emission, or 0 for an epoch without settled tasks. */
  totals: { escrowed: bigint; fees: bigint; refunds: bigint; emission: bigint; rewards: bigint; treasury: bigint };
};

/** The full ledger of an epoch from its settled tasks and its emission. */
export function epochLedger(
  tasks: readonly SettledTask[],
  emission: EpochEmission,
  treasuryAccount: string,
): EpochLedger {
  const fee_lines: EpochLedger['fee_lines'] = [];
  let escrowed = 0n;
  let fees = 0n;
  let refunds = 0n;
  let rewards = 0n;
  let treasury = 0n;
  for (const t of tasks) {
    if (t.fee < 0n || t.fee > t.max_fee) throw new RangeError(`fee of ${t.task_id} is outside [0, max_fee]`);
    const lines = splitFee(t.fee, t.split, t.contributions, treasuryAccount);
    fee_lines.push({ task_id: t.task_id, lines });
    escrowed += t.max_fee;
    fees += t.fee;
    refunds += t.max_fee - t.fee;
    for (const l of lines) {
      if (l.role === 'treasury') treasury += l.amount;
      else rewards += l.amount;
    }
  }
  const emission_lines = distributeEmission(
    emission,
    tasks.map((t) => ({ task_id: t.task_id, contributions: t.contributions.filter((c) => c.role !== 'treasury') })),
    treasuryAccount,
  );
  let minted = 0n;
  for (const l of emission_lines) {
    minted += l.amount;
    if (l.role === 'treasury') treasury += l.amount;
    else rewards += l.amount;
  }
  return {
    fee_lines,
    emission_lines,
    totals: { escrowed, fees, refunds, emission: minted, rewards, treasury },
  };
}
