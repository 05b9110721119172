/** Reward records: created pending at verification, calculated with the candidate, finalized with it. */

import type { RewardLine } from '../economics/reward-split.ts';
import { toAmount } from '../encoding/amount.ts';
import { domainHash } from '../hashing/domain-hash.ts';
import { type ContributorRole, SCHEMA_VERSION } from '../objects/common.ts';
import { DomainTags } from '../objects/domain-tags.ts';
import type { RewardRecord } from '../objects/reward-record.ts';
import { canMoveReward, moveReward } from './moves.ts';
import type { ProtocolState } from './state.ts';
import type { LogPosition } from './step.ts';

/** Deterministic reward id for one (epoch, task, account, role). */
export function rewardId(
  epoch_id: number,
  task_id: string,
  account: string,
  role: ContributorRole,
  salt?: string,
): string {
  // Several folds in one process (every master's and enterprise node's follower) derive the same
  // ids from the same entries: the id is a pure function of its inputs, so it is hashed once.
  const key = JSON.stringify([epoch_id, task_id, account, role, salt ?? null]);
  let id = recentIds.get(key) ?? olderIds.get(key);
  if (id === undefined)
    id = `rwd_${domainHash(DomainTags.rewardId, salt ? { epoch_id, task_id, account, role, salt } : { epoch_id, task_id, account, role }).slice(0, 32)}`;
  if (!recentIds.has(key)) {
    if (recentIds.size >= REMEMBERED_REWARD_IDS_PER_GENERATION) {
      olderIds = recentIds;
      recentIds = new Map();
    }
    recentIds.set(key, id);
  }
  return id;
}

/**
 * Reward ids by their inputs, a bounded memo in two generations: when the recent one is full it
 * becomes the older one and the oldest is dropped. Memory stays flat, and an epoch larger than one
 * generation (3 x 10^5 emission ids at 10^5 tasks) is still remembered from one fold to the next.
 */
let recentIds = new Map<string, string>();
let olderIds = new Map<string, string>();
const REMEMBERED_REWARD_IDS_PER_GENERATION = 200_000;

/** Creates `pending_input` records for a task's contributors (amounts come with the candidate). */
export function createPendingRewards(
  state: ProtocolState,
  task_id: string,
  epoch_id: number,
  policy_version: number,
  lines: readonly { account: string; role: ContributorRole; units: number }[],
): void {
  const task = state.tasks[task_id]!;
  for (const l of lines) {
    const id = rewardId(epoch_id, task_id, l.account, l.role);
    task.reward_ids.push(id);
    state.rewards[id] = {
      schema_version: SCHEMA_VERSION,
      reward_id: id,
      epoch_id,
      task_id,
      account: l.account,
      role: l.role,
      units: l.units,
      policy_version,
      state: 'pending_input',
    };
  }
}

/** The task's own reward records (adjustments excluded), in creation order. */
export function rewardsOfTask(state: ProtocolState, task_id: string): RewardRecord[] {
  return (state.tasks[task_id]?.reward_ids ?? []).map((id) => state.rewards[id]!);
}

/**
 * The task's own record for (epoch, account, role): the record whose id is
 * `rewardId(epoch_id, task_id, account, role)`, found among the task's few records without hashing.
 */
export function taskReward(
  state: ProtocolState,
  epoch_id: number,
  task_id: string,
  account: string,
  role: ContributorRole,
): RewardRecord | undefined {
  for (const id of state.tasks[task_id]?.reward_ids ?? []) {
    const r = state.rewards[id];
    if (r && r.epoch_id === epoch_id && r.account === account && r.role === role) return r;
  }
  return undefined;
}

/** Blocks every open record of a task (challenged or penalized). */
export function blockRewards(state: ProtocolState, task_id: string, reason: string, at: LogPosition): void {
  for (const r of rewardsOfTask(state, task_id)) {
    if (canMoveReward(r, 'blocked')) {
      moveReward(r, 'blocked', at);
      r.blocked_reason = reason;
      delete r.amount;
    }
  }
}

/** Lifts a block: records return to `eligible` and are recalculated with the next candidate. */
export function unblockRewards(state: ProtocolState, task_id: string, at: LogPosition): void {
  for (const r of rewardsOfTask(state, task_id)) {
    if (r.state === 'blocked') {
      moveReward(r, 'eligible', at);
      delete r.blocked_reason;
    }
  }
}

/** Applies calculated amounts from the fee split to a task's records. */
export function calculateRewards(
  state: ProtocolState,
  epoch_id: number,
  task_id: string,
  lines: readonly RewardLine[],
  at: LogPosition,
): RewardRecord[] {
  const out: RewardRecord[] = [];
  for (const line of lines) {
    const r = taskReward(state, epoch_id, task_id, line.account, line.role);
    if (!r) continue;
    if (r.state === 'pending_input') moveReward(r, 'eligible', at);
    if (r.state === 'eligible') moveReward(r, 'calculated', at);
    r.amount = toAmount(line.amount);
    out.push(r);
  }
  return out;
}
