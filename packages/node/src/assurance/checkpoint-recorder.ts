/**
 * Records a checkpoint (state hash, settlement roots, reward-ledger and payout hashes) after every
 * epoch close and every finalization the node folds, so that `symphony log export` can ship them
 * beside the entries and a replay can compare, position by position. Kept in memory: a restart
 * folds the log again and records them again.
 */
import { type Checkpoint, checkpointOf, isCheckpointEntry } from '@symphony/protocol';
import type { StateFollower } from '../coordination/state-follower.ts';

export class CheckpointRecorder {
  readonly #checkpoints: Checkpoint[] = [];
  readonly #unsubscribe: () => void;

  /** Subscribe before the follower folds anything, or early checkpoints are missed. */
  constructor(follower: StateFollower) {
    this.#unsubscribe = follower.onApplied((entry, outcome) => {
      if (outcome.kind === 'applied' && isCheckpointEntry(follower.state, entry)) {
        this.#checkpoints.push(checkpointOf(follower.state));
      }
    });
  }

  /** Checkpoints at positions `from` to `to` inclusive, in order. */
  between(from: number, to: number): Checkpoint[] {
    return this.#checkpoints.filter((c) => c.seq >= from && c.seq <= to);
  }

  get count(): number {
    return this.#checkpoints.length;
  }

  stop(): void {
    this.#unsubscribe();
  }
}
