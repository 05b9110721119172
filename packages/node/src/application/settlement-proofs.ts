/**
 * Inclusion proofs of settlement entries. The tree of an epoch's candidate is built once and kept
 * as long as the candidate's entry list is the same object (a rebuilt candidate replaces the list),
 * so serving proofs costs O(log n) after the first.
 */
import type { SettlementProof } from '@symphony/api';
import {
  buildMerkleTree,
  canonicalBytes,
  type MerkleTree,
  type ProtocolState,
  type SettlementEntry,
} from '@symphony/protocol';
import { ApiFailure } from './master-api.ts';

type Built = { tree: MerkleTree; index: Map<string, number> };

export class SettlementProofs {
  readonly #trees = new WeakMap<readonly SettlementEntry[], Built>();

  #built(entries: readonly SettlementEntry[]): Built {
    let built = this.#trees.get(entries);
    if (!built) {
      built = {
        tree: buildMerkleTree(entries.map((e) => canonicalBytes(e))),
        index: new Map(entries.map((e, i) => [e.task_id, i])),
      };
      this.#trees.set(entries, built);
    }
    return built;
  }

  /** The proof of `entryId` in the epoch's current candidate; fails with `not_found` otherwise. */
  proof(state: ProtocolState, epochId: number, entryId: string): SettlementProof {
    const s = state.settlements[epochId];
    if (!s) throw new ApiFailure('not_found', `No epoch ${epochId}.`);
    if (!s.candidate) {
      throw new ApiFailure('not_found', `Epoch ${epochId} has no settlement candidate (it is ${s.state}).`, {
        settlement_state: s.state,
      });
    }
    const built = this.#built(s.entries);
    const index = built.index.get(entryId);
    if (index === undefined) throw new ApiFailure('not_found', `Epoch ${epochId} settles no task ${entryId}.`);
    const merkle = built.tree.proof(index);
    return {
      epoch_id: epochId,
      entry_id: entryId,
      entry: s.entries[index]!,
      leaf_index: merkle.leaf_index,
      tree_size: merkle.tree_size,
      audit_path: merkle.path,
      settlement_root: built.tree.rootHex,
      quorum_certificate: s.state === 'finalized' && s.certificate ? s.certificate : null,
    };
  }
}
