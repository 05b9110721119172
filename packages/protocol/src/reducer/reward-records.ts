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
  return idIn(idsOf(epoch_id, task_id, salt), epoch_id, task_id, account, role, salt);
}

/** Reward ids of one (epoch, task, salt), by role, then account. */
type TaskRewardIds = Map<string, Map<string, string>>;

/**
 * Reward ids by their inputs. Several folds in one process (every master's and enterprise node's
 * follower) derive the same ids from the same entries: an id is a pure function of its inputs, so
 * it is hashed once. A bounded memo in two generations, grouped by (epoch, task, salt) so a task's
 * records look up one group: when the recent generation holds enough ids it becomes the older one
 * and the oldest is dropped. Memory stays flat, and an epoch larger than one generation
 * (3 x 10^5 emission ids at 10^5 tasks) is still remembered from one fold to the next.
 */
let recentIds = new Map<string, TaskRewardIds>();
let olderIds = new Map<string, TaskRewardIds>();
let recentCount = 0;
const REMEMBERED_REWARD_IDS_PER_GENERATION = 200_000;

/** The remembered ids of one (epoch, task, salt), made recent. */
function idsOf(epoch_id: number, task_id: string, salt: string | undefined): TaskRewardIds {
  const key = JSON.stringify([epoch_id, task_id, salt ?? null]);
  let ids = recentIds.get(key);
  if (ids !== undefined) return ids;
  if (recentCount >= REMEMBERED_REWARD_IDS_PER_GENERATION) {
    olderIds = recentIds;
    recentIds = new Map();
    recentCount = 0;
  }
  ids = olderIds.get(key) ?? new Map();
  for (const byAccount of ids.values()) recentCount += byAccount.size;
  recentIds.set(key, ids);
  return ids;
}

/** The id of (account, role) in the group `ids` of (epoch, task, salt), hashed on first use. */
function idIn(
  ids: TaskRewardIds,
  epoch_id: number,
  task_id: string,
  account: string,
  role: ContributorRole,
  salt: string | undefined,
): string {
  let byAccount = ids.get(role);
  if (byAccount === undefined) {
    byAccount = new Map();
    ids.set(role, byAccount);
  }
  let id = byAccount.get(account);
  if (id === undefined) {
    const value = salt ? { epoch_id, task_id, account, role, salt } : { epoch_id, task_id, account, role };
    id = `rwd_${domainHash(DomainTags.rewardId, value).slice(0, 32)}`;
    byAccount.set(account, id);
    recentCount++;
  }
  return id;
}

/** Creates `pending_input` records for a task's contributors (amounts come with the candidate). */
export function createPendingRewards(
  state: ProtocolState,
  task_id: string,
  epoch_id: number,
  policy_version: number,
  lines: readonly { account: string; role: ContributorRole; units: number }[],
): void {
  const task = state.tasks[task_id]!;
  const ids = idsOf(epoch_id, task_id, undefined);
  for (const l of lines) {
    const id = idIn(ids, epoch_id, task_id, l.account, l.role, undefined);
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
