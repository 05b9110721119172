import { verifyEd25519 } from '../../crypto/ed25519.ts';
import { hexToBytes } from '../../hashing/domain-hash.ts';
import { receivedModelDigest } from '../../train/train-hashes.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';
import { isRefusal, runningRound } from './train-round-helpers.ts';

/**
 * A running round completes when at least its quorum of participants contributed an update, and
 * every contributor's enclave signed the hash of the global model it received, equal to the
 * round's start model (a Vault that was sent another model makes the round unable to complete:
 * it must abort). Each signature must verify under an enclave key the Vault's node registered.
 * Updates appear only as the aggregation enclave's commitments and weights.
 */
export const completeTrainRound: Step<'train_round_completed'> = {
  check(state, e) {
    const r = runningRound(state, e);
    if (isRefusal(r)) return r;
    const received = e.received.map((x) => x.vault_id);
    const updated = e.updates.map((x) => x.vault_id);
    if (new Set(received).size !== received.length || new Set(updated).size !== updated.length)
      return refuse('duplicate_vault', 'a Vault appears twice in the round');
    if (received.length !== updated.length || received.some((v) => !updated.includes(v)))
      return refuse('participation_mismatch', 'every contributor signs its received model and has one update');
    const outside = received.find((v) => !r.participants.includes(v));
    if (outside) return refuse('vault_outside_round', `${outside} is not a participant of ${e.round_task_id}`);
    const dropped = r.participants.filter((v) => !received.includes(v));
    if (dropped.length !== e.dropped.length || dropped.some((v) => !e.dropped.includes(v)))
      return refuse('participation_mismatch', 'dropped must list exactly the participants without an update');
    if (received.length < r.quorum)
      return refuse('quorum_not_met', `${received.length} updates, the round needs ${r.quorum}`);
    for (const x of e.received) {
      if (x.model_hash !== r.start_model_hash)
        return refuse('model_mismatch', `${x.vault_id} received another model than the round's`);
      const node = state.vaults[x.vault_id]?.node_id;
      const keys = (node ? state.enterprise_nodes[node]?.enclaves : undefined)?.map((k) => k.enclave_public_key) ?? [];
      const digest = hexToBytes(
        receivedModelDigest({
          task_id: e.task_id,
          round_task_id: e.round_task_id,
          vault_id: x.vault_id,
          model_hash: x.model_hash,
        }),
      );
      if (!keys.some((k) => verifyEd25519(k, digest, x.signature)))
        return refuse('bad_signature', `the received-model signature of ${x.vault_id} does not verify`);
    }
    if (e.updates.some((u) => u.weight < 1)) return refuse('empty_update', 'a contributing Vault trained on no record');
    return undefined;
  },
  run(state, e, at) {
    const r = state.train_rounds![e.round_task_id]!;
    r.state = 'completed';
    r.ended_seq = at.seq;
    r.model_hash = e.model_hash;
    r.received = [...e.received].sort((a, b) => (a.vault_id < b.vault_id ? -1 : 1)).map((x) => ({ ...x }));
    r.updates = [...e.updates].sort((a, b) => (a.vault_id < b.vault_id ? -1 : 1)).map((x) => ({ ...x }));
    r.dropped = [...e.dropped].sort();
    if (e.evaluation) r.evaluation = { ...e.evaluation };
  },
};
