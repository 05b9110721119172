/**
 * Checkpoints: what a node reports about its folded state at log positions, so that a replay of
 * the same log can compare, position by position, and name the first that differs: per epoch (at
 * its close and its finalization) the settlement and the epoch's reward ledger and payout intents;
 * at the head, the whole state hash, every settlement and the whole ledger.
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

/** What a node reports about its whole state at a position: written once, at the head of an export. */
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

/**
 * What a node records about one epoch after folding an entry that closed or finalized it: the
 * epoch's settlement and hashes of the epoch's reward records and payout intents. Its cost is that
 * of the epoch, not of the whole state, so a node records it while folding at any size.
 */
export type EpochCheckpoint = {
  seq: number;
  entry_hash: string;
  epoch_id: number;
  settlement: CheckpointSettlement;
  reward_ledger_hash: Hex64;
  payouts_hash: Hex64;
};

/** Domain tag of the reward-ledger hash in a checkpoint. */
export const REWARD_LEDGER_CHECKPOINT_TAG = 'scp/v1/checkpoint-reward-ledger';
/** Domain tag of the payout-intents hash in a checkpoint. */
export const PAYOUTS_CHECKPOINT_TAG = 'scp/v1/checkpoint-payouts';

function settlementOf(s: ProtocolState['settlements'][string]): CheckpointSettlement {
  const statement = s.certificate?.statement ?? s.candidate?.statement;
  return {
    epoch_id: s.epoch_id,
    state: s.state,
    attempt: s.attempt,
    ...(statement ? { settlement_root: statement.settlement_root, rewards_root: statement.rewards_root } : {}),
  };
}

/** The whole-state checkpoint of `state` (whose head is the position it describes). Throws before genesis. */
export function checkpointOf(state: ProtocolState): Checkpoint {
  if (!state.head) throw new Error('no checkpoint before genesis');
  return {
    seq: state.head.seq,
    entry_hash: state.head.hash,
    state_hash: stateHash(state),
    settlements: Object.values(state.settlements)
      .sort((a, b) => a.epoch_id - b.epoch_id)
      .map(settlementOf),
    reward_ledger_hash: domainHash(REWARD_LEDGER_CHECKPOINT_TAG, state.rewards),
    payouts_hash: domainHash(PAYOUTS_CHECKPOINT_TAG, state.payouts),
  };
}

/** The checkpoint of epoch `epoch_id` in `state` (at its head). */
export function epochCheckpointOf(state: ProtocolState, epoch_id: number): EpochCheckpoint {
  if (!state.head) throw new Error('no checkpoint before genesis');
  const s = state.settlements[epoch_id];
  if (!s) throw new Error(`no settlement for epoch ${epoch_id}`);
  const rewards = Object.values(state.rewards)
    .filter((r) => r.epoch_id === epoch_id)
    .sort((a, b) => (a.reward_id < b.reward_id ? -1 : 1));
  const payouts = Object.values(state.payouts)
    .filter((p) => p.epoch_id === epoch_id)
    .sort((a, b) => (a.intent_id < b.intent_id ? -1 : 1));
  return {
    seq: state.head.seq,
    entry_hash: state.head.hash,
    epoch_id,
    settlement: settlementOf(s),
    reward_ledger_hash: domainHash(REWARD_LEDGER_CHECKPOINT_TAG, rewards),
    payouts_hash: domainHash(PAYOUTS_CHECKPOINT_TAG, payouts),
  };
}

/**
 * The epoch a node records a checkpoint for after folding `entry` into `state`: the epoch an
 * applied `epoch_closed` closed, or the epoch a `settlement_signed` entry finalized; else undefined.
 */
export function checkpointEpochOf(state: ProtocolState, entry: Pick<Entry, 'seq' | 'event'>): number | undefined {
  if (state.head?.seq !== entry.seq) return undefined;
  if (entry.event.type === 'epoch_closed') return entry.event.epoch_id;
  if (entry.event.type !== 'settlement_signed') return undefined;
  const epoch = entry.event.statement.epoch_id;
  return state.settlements[epoch]?.certificate?.finalized_at_seq === entry.seq ? epoch : undefined;
}

/** The first field in which `actual` differs from `expected`, described; undefined when equal. */
export function epochCheckpointDifference(expected: EpochCheckpoint, actual: EpochCheckpoint): string | undefined {
  if (expected.seq !== actual.seq) return `position: expected seq ${expected.seq}, got ${actual.seq}`;
  if (expected.entry_hash !== actual.entry_hash) return `entry hash ${actual.entry_hash} != ${expected.entry_hash}`;
  if (expected.epoch_id !== actual.epoch_id) return `epoch: expected ${expected.epoch_id}, got ${actual.epoch_id}`;
  for (const f of ['state', 'attempt', 'settlement_root', 'rewards_root'] as const) {
    if (expected.settlement?.[f] !== actual.settlement[f])
      return `settlement ${f} of epoch ${actual.epoch_id}: expected ${expected.settlement?.[f]}, got ${actual.settlement[f]}`;
  }
  if (expected.reward_ledger_hash !== actual.reward_ledger_hash)
    return `reward ledger hash of epoch ${actual.epoch_id}: expected ${expected.reward_ledger_hash}, got ${actual.reward_ledger_hash}`;
  if (expected.payouts_hash !== actual.payouts_hash)
    return `payout intents hash of epoch ${actual.epoch_id}: expected ${expected.payouts_hash}, got ${actual.payouts_hash}`;
  return undefined;
}

/** The first field in which a head checkpoint differs from the expected one, described; undefined when equal. */
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
