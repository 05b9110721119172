/**
 * Checkpoints: what a node reports about its folded state at a log position (the state hash, each
 * epoch's settlement state and roots, and hashes of the reward ledger and payout intents), so that
 * a replay of the same log can compare, position by position, and name the first that differs.
 */
import { domainHash, type Hex64 } from '../hashing/domain-hash.ts';
import type { ProtocolState } from '../reducer/state.ts';
import { stateHash } from '../reducer/state-hash.ts';
import type { Entry } from '../reducer/step.ts';

/** One epoch's settlement as a checkpoint shows it. */
export type CheckpointSettlement = {
  epoch_id: number;
  state: string;
  attempt: number;
  settlement_root?: string;
  rewards_root?: string;
};

/** What a node reports after folding the entry at `seq`. */
export type Checkpoint = {
  seq: number;
  entry_hash: string;
  state_hash: Hex64;
  settlements: CheckpointSettlement[];
  /** Hash of every reward record (`state.rewards`). */
  reward_ledger_hash: Hex64;
  /** Hash of every payout intent (`state.payouts`). */
  payouts_hash: Hex64;
};

/** Domain tag of the reward-ledger hash in a checkpoint. */
export const REWARD_LEDGER_CHECKPOINT_TAG = 'scp/v1/checkpoint-reward-ledger';
/** Domain tag of the payout-intents hash in a checkpoint. */
export const PAYOUTS_CHECKPOINT_TAG = 'scp/v1/checkpoint-payouts';

/** The checkpoint of `state` (whose head is the position it describes). Throws before genesis. */
export function checkpointOf(state: ProtocolState): Checkpoint {
  if (!state.head) throw new Error('no checkpoint before genesis');
  const settlements = Object.values(state.settlements)
    .sort((a, b) => a.epoch_id - b.epoch_id)
    .map((s) => {
      const statement = s.certificate?.statement ?? s.candidate?.statement;
      return {
        epoch_id: s.epoch_id,
        state: s.state,
        attempt: s.attempt,
        ...(statement ? { settlement_root: statement.settlement_root, rewards_root: statement.rewards_root } : {}),
      };
    });
  return {
    seq: state.head.seq,
    entry_hash: state.head.hash,
    state_hash: stateHash(state),
    settlements,
    reward_ledger_hash: domainHash(REWARD_LEDGER_CHECKPOINT_TAG, state.rewards),
    payouts_hash: domainHash(PAYOUTS_CHECKPOINT_TAG, state.payouts),
  };
}

/**
 * Whether a node records a checkpoint after folding `entry` into `state`: after every epoch close
 * and after every entry that finalized a settlement.
 */
export function isCheckpointEntry(state: ProtocolState, entry: Pick<Entry, 'seq' | 'event'>): boolean {
  if (entry.event.type === 'epoch_closed') return state.head?.seq === entry.seq;
  if (entry.event.type !== 'settlement_signed') return false;
  return Object.values(state.settlements).some((s) => s.certificate?.finalized_at_seq === entry.seq);
}

/** The first field in which `actual` differs from `expected`, described; undefined when equal. */
export function checkpointDifference(expected: Checkpoint, actual: Checkpoint): string | undefined {
  if (expected.seq !== actual.seq) return `position: expected seq ${expected.seq}, got ${actual.seq}`;
  if (expected.entry_hash !== actual.entry_hash) return `entry hash ${actual.entry_hash} != ${expected.entry_hash}`;
  const byEpoch = new Map(actual.settlements.map((s) => [s.epoch_id, s]));
  for (const e of expected.settlements) {
    const a = byEpoch.get(e.epoch_id);
    if (!a) return `settlement of epoch ${e.epoch_id} is missing`;
    for (const f of ['state', 'attempt', 'settlement_root', 'rewards_root'] as const) {
      if (e[f] !== a[f]) return `settlement ${f} of epoch ${e.epoch_id}: expected ${e[f]}, got ${a[f]}`;
    }
  }
  if (actual.settlements.length !== expected.settlements.length)
    return `settlement count: expected ${expected.settlements.length}, got ${actual.settlements.length}`;
  if (expected.reward_ledger_hash !== actual.reward_ledger_hash)
    return `reward ledger hash: expected ${expected.reward_ledger_hash}, got ${actual.reward_ledger_hash}`;
  if (expected.payouts_hash !== actual.payouts_hash)
    return `payout intents hash: expected ${expected.payouts_hash}, got ${actual.payouts_hash}`;
  if (expected.state_hash !== actual.state_hash)
    return `state hash: expected ${expected.state_hash}, got ${actual.state_hash}`;
  return undefined;
}
