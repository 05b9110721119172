/**
 * Settlement and reward-ledger trees. Leaves are the RFC 8785 bytes of each object, ordered by the
 * UTF-8 bytes of a key: `task_id` for settlement entries, `reward_id` for reward records.
 */
import { canonicalBytes } from '../encoding/canonical.ts';
import { buildMerkleTree, type MerkleTree, sortByKey } from '../merkle/merkle-tree.ts';
import type { RewardRecord } from '../objects/reward-record.ts';
import type { SettlementEntry } from '../objects/settlement.ts';

/** Orders entries the way the settlement tree lays them out. */
export function orderEntries(entries: readonly SettlementEntry[]): SettlementEntry[] {
  return sortByKey(entries, (e) => e.task_id);
}

/** The settlement tree over entries already in leaf order. */
export function settlementTree(orderedEntries: readonly SettlementEntry[]): MerkleTree {
  return buildMerkleTree(orderedEntries.map((e) => canonicalBytes(e)));
}

/** The reward leaf: the calculated facts of one reward record, without its lifecycle state. */
export function rewardLeaf(r: RewardRecord): Uint8Array {
  return canonicalBytes({
    reward_id: r.reward_id,
    epoch_id: r.epoch_id,
    task_id: r.task_id,
    account: r.account,
    role: r.role,
    units: r.units,
    amount: r.amount ?? '0',
    ...(r.source ? { source: r.source } : {}),
  });
}

/** The reward-ledger tree of an epoch's calculated records. */
export function rewardTree(records: readonly RewardRecord[]): MerkleTree {
  return buildMerkleTree(sortByKey(records, (r) => r.reward_id).map(rewardLeaf));
}
