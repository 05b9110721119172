/**
 * Stake compliance at settlement: under a policy with `economics`, an executor or verifier whose
 * bonded stake (at the candidate's log position) is below the policy minimum for its role earns
 * nothing from the candidate: its fee line is blocked (`stake_non_compliance`) and the amount goes
 * to the treasury line, and it takes no share of the emission pools. The block is lifted when the
 * candidate is withdrawn, so a rebuilt candidate judges the stake again.
 */

import type { RewardLine } from '../economics/reward-split.ts';
import { parseAmount } from '../encoding/amount.ts';
import type { Contribution } from '../objects/execution-receipt.ts';
import type { ParameterSet } from '../objects/parameter-set.ts';
import { canMoveReward, moveReward } from './moves.ts';
import { taskReward } from './reward-records.ts';
import type { ProtocolState } from './state.ts';
import type { LogPosition } from './step.ts';

export const STAKE_NON_COMPLIANCE = 'stake_non_compliance';

/** Whether `c` is an executor or verifier line whose account's stake is below the role minimum. */
export function understaked(state: ProtocolState, policy: ParameterSet, c: { account: string; role: string }): boolean {
  if (!policy.economics || (c.role !== 'executor' && c.role !== 'verifier')) return false;
  const stake = parseAmount(state.accounts[c.account]?.stake ?? '0');
  return stake < parseAmount(policy.min_stake[c.role]);
}

/** Contributions that may share the emission pools. */
export function compliantContributions(
  state: ProtocolState,
  policy: ParameterSet,
  contributions: readonly Contribution[],
): Contribution[] {
  return contributions.filter((c) => !understaked(state, policy, c));
}

/** Blocks understaked lines of a task's split and moves their amounts to the treasury line. */
export function blockUnderstaked(
  state: ProtocolState,
  policy: ParameterSet,
  epoch_id: number,
  task_id: string,
  lines: readonly RewardLine[],
  at: LogPosition,
): RewardLine[] {
  if (!policy.economics) return [...lines];
  const kept: RewardLine[] = [];
  let moved = 0n;
  for (const l of lines) {
    if (!understaked(state, policy, l)) {
      kept.push(l);
      continue;
    }
    moved += l.amount;
    const r = taskReward(state, epoch_id, task_id, l.account, l.role);
    if (r && canMoveReward(r, 'blocked')) {
      moveReward(r, 'blocked', at);
      r.blocked_reason = STAKE_NON_COMPLIANCE;
      delete r.amount;
    }
  }
  return kept.map((l) => (l.role === 'treasury' ? { ...l, amount: l.amount + moved } : l));
}
