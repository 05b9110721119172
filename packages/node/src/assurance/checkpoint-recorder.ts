/**
 * Records an epoch checkpoint (the epoch's settlement and roots, hashes of its reward records and
 * payout intents) after every epoch close and every finalization the node folds, so that `symphony log export` can ship them
 * beside the entries and a replay can compare, position by position. Kept in memory: a restart
 * folds the log again and records them again.
 */
import { checkpointEpochOf, type EpochCheckpoint, epochCheckpointOf } from '@symphony/protocol';
import type { StateFollower } from '../coordination/state-follower.ts';

export class CheckpointRecorder {
  readonly #checkpoints: EpochCheckpoint[] = [];
  readonly #unsubscribe: () => void;

  /** Subscribe before the follower folds anything, or early checkpoints are missed. */
  constructor(follower: StateFollower) {
    this.#unsubscribe = follower.onApplied((entry, outcome) => {
      if (outcome.kind !== 'applied') return;
      const epoch = checkpointEpochOf(follower.state, entry);
      if (epoch !== undefined) this.#checkpoints.push(epochCheckpointOf(follower.state, epoch));
    });
  }

  /** Checkpoints at positions `from` to `to` inclusive, in order. */
  between(from: number, to: number): EpochCheckpoint[] {
    return this.#checkpoints.filter((c) => c.seq >= from && c.seq <= to);
  }

  get count(): number {
    return this.#checkpoints.length;
  }

  stop(): void {
    this.#unsubscribe();
  }
}
