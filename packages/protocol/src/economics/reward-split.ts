/**
 * The fee split: each contributor role gets `fee * bps / 10000` (rounded down); inside a role the
 * share is divided by units (rounded down). Every remainder, and the share of a role nobody filled,
 * goes to the protocol treasury, so the lines always sum to the fee exactly.
 */
import { CONTRIBUTOR_ROLES, type ContributorRole } from '../objects/common.ts';
import type { Contribution } from '../objects/execution-receipt.ts';
import type { ParameterSet } from '../objects/parameter-set.ts';

export type RewardLine = { account: string; role: ContributorRole; units: number; amount: bigint };

const roleOrder = new Map<string, number>(CONTRIBUTOR_ROLES.map((r, i) => [r, i]));

/** Merges duplicate (account, role) pairs and sorts by role order, then account. */
export function normalizeContributions(contributions: readonly Contribution[]): Contribution[] {
  return byRole(contributions)?.flat() ?? mergeAndSort(contributions);
}

const byAccount = (a: Contribution, b: Contribution) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0);

/**
 * `normalizeContributions` as one list per role of `CONTRIBUTOR_ROLES` (merged, sorted by account),
 * built by role instead of sorting the whole list by role; undefined when a contribution names no
 * contributor role or no string account (`mergeAndSort` then orders it as it always has).
 */
function byRole(contributions: readonly Contribution[]): Contribution[][] | undefined {
  const merged = CONTRIBUTOR_ROLES.map(() => new Map<string, Contribution>());
  for (const c of contributions) {
    const role = roleOrder.get(c.role);
    if (role === undefined || typeof c.account !== 'string') return undefined;
    const accounts = merged[role]!;
    const prev = accounts.get(c.account);
    accounts.set(c.account, prev ? { ...prev, units: prev.units + c.units } : { ...c });
  }
  return merged.map((accounts) => [...accounts.values()].sort(byAccount));
}

/** Merges duplicate (account, role) pairs and sorts the whole list by role order, then account. */
function mergeAndSort(contributions: readonly Contribution[]): Contribution[] {
  const merged = new Map<string, Contribution>();
  for (const c of contributions) {
    const key = `${c.role}\u0000${c.account}`;
    const prev = merged.get(key);
    merged.set(key, prev ? { ...prev, units: prev.units + c.units } : { ...c });
  }
  return [...merged.values()].sort(
    (a, b) =>
      roleOrder.get(a.role)! - roleOrder.get(b.role)! || (a.account < b.account ? -1 : a.account > b.account ? 1 : 0),
  );
}

/**
 * Splits `fee` among contributors by the policy's basis points. Treasury contributions in the input
 * are ignored: the treasury line is always last, for `treasuryAccount`, and takes every remainder.
 */
export function splitFee(
  fee: bigint,
  bps: ParameterSet['reward_split_bps'],
  contributions: readonly Contribution[],
  treasuryAccount: string,
): RewardLine[] {
  if (fee < 0n) throw new RangeError('fee must not be negative');
  const lines: RewardLine[] = [];
  let distributed = 0n;
  const groups = byRole(contributions) ?? groupedByRole(mergeAndSort(contributions));
  for (const [i, role] of CONTRIBUTOR_ROLES.entries()) {
    if (role === 'treasury') continue;
    // A contributor with 0 units earns nothing (and a role of only such contributors is unfilled).
    const members = groups[i]!.filter((c) => c.units > 0);
    if (members.length === 0) continue;
    const share = (fee * BigInt(bps[role])) / 10_000n;
    const totalUnits = members.reduce((s, c) => s + BigInt(c.units), 0n);
    for (const c of members) {
      const amount = (share * BigInt(c.units)) / totalUnits;
      lines.push({ account: c.account, role, units: c.units, amount });
      distributed += amount;
    }
  }
  lines.push({ account: treasuryAccount, role: 'treasury', units: 1, amount: fee - distributed });
  return lines;
}

/** A normalized list as one list per role of `CONTRIBUTOR_ROLES`, in its order. */
function groupedByRole(normalized: readonly Contribution[]): Contribution[][] {
  return CONTRIBUTOR_ROLES.map((role) => normalized.filter((c) => c.role === role));
}
