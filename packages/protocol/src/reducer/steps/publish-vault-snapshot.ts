import { verifyEd25519 } from '../../crypto/ed25519.ts';
import { digestBytes } from '../../crypto/signing-digests.ts';
import { domainHash } from '../../hashing/domain-hash.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/**
 * A Vault publishes the Merkle root of its record commitments for the open epoch, signed by the
 * node hosting it; one snapshot per Vault and epoch, epochs never go back.
 */
export const publishVaultSnapshot: Step<'vault_snapshot_published'> = {
  check(state, e) {
    const s = e.snapshot;
    const vault = state.vaults[s.vault_id];
    if (!vault) return refuse('unknown_vault', `vault ${s.vault_id} is not registered`);
    if (vault.node_id !== s.node_id) return refuse('wrong_node', `vault ${s.vault_id} is not hosted by ${s.node_id}`);
    if (s.epoch_id !== state.current_epoch)
      return refuse('wrong_epoch', `snapshot for epoch ${s.epoch_id}, the open epoch is ${state.current_epoch}`);
    if (vault.last_snapshot && vault.last_snapshot.epoch_id >= s.epoch_id)
      return refuse('duplicate_snapshot', `vault ${s.vault_id} already published a snapshot for epoch ${s.epoch_id}`);
    const node = state.enterprise_nodes[s.node_id];
    if (!node || !verifyEd25519(node.public_key, digestBytes(domainHash('scp/v1/vault-snapshot', s)), e.signature))
      return refuse('bad_signature', 'vault snapshot signature does not verify');
    return undefined;
  },
  run(state, e, at) {
    const s = e.snapshot;
    state.vaults[s.vault_id]!.last_snapshot = {
      epoch_id: s.epoch_id,
      record_count: s.record_count,
      commitments_root: s.commitments_root,
      seq: at.seq,
    };
  },
};
