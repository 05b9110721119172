/**
 * The demo's economics lines: how much of the epoch's rewards came from fees and how much from the
 * bootstrap emission, and the stake of every executor and verifier that earned a share against
 * its role minimum (the stake check that blocks understaked lines).
 */
import type { RewardRecord } from '@symphony/protocol';
import type { ApiClient } from '../api-client.ts';
import type { Colors } from '../format/colors.ts';
import { groupDigits, plural } from '../format/text.ts';

const STAKED = ['executor', 'verifier'] as const;

/** The lines to print after the rewards table. */
export async function economicsSummary(
  client: Pick<ApiClient, 'stake'>,
  rewards: readonly RewardRecord[],
  colors: Colors,
): Promise<string[]> {
  const amount = (r: RewardRecord) => BigInt(r.amount ?? '0');
  const emission = rewards.filter((r) => r.source === 'emission');
  const fees = rewards.filter((r) => r.source !== 'emission');
  const blocked = rewards.filter((r) => r.state === 'blocked').length;
  const lines = [
    `emission: ${groupDigits(String(emission.reduce((s, r) => s + amount(r), 0n)))} base units in ${plural(emission.length, 'record')} (bootstrap schedule, data-quality and node-operation pools); fees: ${groupDigits(String(fees.reduce((s, r) => s + amount(r), 0n)))}`,
    `stake checks (executor and verifier lines below the role minimum are blocked; ${blocked} blocked):`,
  ];
  const staked = new Map<string, Set<string>>();
  for (const r of rewards) {
    if (!(STAKED as readonly string[]).includes(r.role)) continue;
    staked.set(r.account, (staked.get(r.account) ?? new Set()).add(r.role));
  }
  for (const account of [...staked.keys()].sort()) {
    const view = await client.stake(account);
    for (const role of [...staked.get(account)!].sort()) {
      const check = view.roles.find((x) => x.role === role);
      if (!check) continue;
      lines.push(
        `  ${account.padEnd(16)} ${role.padEnd(9)} stake ${groupDigits(view.stake).padStart(9)}  min ${groupDigits(check.min_stake).padStart(9)}  ${check.compliant ? colors.green('compliant') : colors.red('understaked')}`,
      );
    }
  }
  return lines;
}
