/**
 * Settlement and reward-ledger trees. Leaves are the RFC 8785 bytes of each object, ordered by the
 * UTF-8 bytes of a key: `task_id` for settlement entries, `reward_id` for reward records.
 */
import { canonicalBytes, canonicalString } from '../encoding/canonical.ts';
import type { Hex64 } from '../hashing/domain-hash.ts';
import { buildMerkleTree, MerkleRootBuilder, type MerkleTree, sortByKey } from '../merkle/merkle-tree.ts';
import type { RewardRecord } from '../objects/reward-record.ts';
import type { SettlementEntry } from '../objects/settlement.ts';

/** Orders entries the way the settlement tree lays them out. */
export function orderEntries(entries: readonly SettlementEntry[]): SettlementEntry[] {
  return sortByKey(entries, (e) => e.task_id);
}

/** The settlement tree over entries already in leaf order (kept whole: it serves inclusion proofs). */
export function settlementTree(orderedEntries: readonly SettlementEntry[]): MerkleTree {
  return buildMerkleTree(orderedEntries.map((e) => canonicalBytes(e)));
}

/**
 * The root of {@link settlementTree}, streamed: each entry is encoded once and hashed at once, so
 * nothing but the O(log n) stack of subtree roots is kept.
 */
export function settlementRootHex(orderedEntries: Iterable<SettlementEntry>): Hex64 {
  const root = new MerkleRootBuilder();
  for (const e of orderedEntries) root.pushUtf8(canonicalString(e));
  return root.rootHex();
}

/** The reward leaf: the calculated facts of one reward record, without its lifecycle state. */
export function rewardLeaf(r: RewardRecord): Uint8Array {
  return canonicalBytes(rewardLeafFacts(r));
}

/** The object a reward leaf encodes. */
function rewardLeafFacts(r: RewardRecord) {
  return {
    reward_id: r.reward_id,
    epoch_id: r.epoch_id,
    task_id: r.task_id,
    account: r.account,
    role: r.role,
    units: r.units,
    amount: r.amount ?? '0',
    ...(r.source ? { source: r.source } : {}),
  };
}

/** Orders reward records the way the reward-ledger tree lays them out. */
export function orderRewards(records: readonly RewardRecord[]): RewardRecord[] {
  return sortByKey(records, (r) => r.reward_id);
}

/** The reward-ledger tree of an epoch's calculated records (kept whole: it serves inclusion proofs). */
export function rewardTree(records: readonly RewardRecord[]): MerkleTree {
  return buildMerkleTree(orderRewards(records).map(rewardLeaf));
}

/** The root of {@link rewardTree}, streamed: each leaf is encoded and hashed once, and not kept. */
export function rewardsRootHex(records: readonly RewardRecord[]): Hex64 {
  const root = new MerkleRootBuilder();
  for (const r of orderRewards(records)) root.pushUtf8(canonicalString(rewardLeafFacts(r)));
  return root.rootHex();
}
