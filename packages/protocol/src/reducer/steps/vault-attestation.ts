/** The check shared by every statement a Vault operator signs: the Vault's own node signed it. */

import { verifyEd25519 } from '../../crypto/ed25519.ts';
import { digestBytes } from '../../crypto/signing-digests.ts';
import { type Refusal, refuse } from '../refusal.ts';
import type { ProtocolState } from '../state.ts';

/** Refuses unless `vault_id` is registered, hosted by `signer_node`, and the signature verifies under that node's key. */
export function vaultSigned(
  state: ProtocolState,
  vault_id: string,
  signer_node: string,
  digest: string,
  signature: string,
): Refusal | undefined {
  const vault = state.vaults[vault_id];
  if (!vault) return refuse('unknown_vault', `vault ${vault_id} is not registered`);
  if (vault.node_id !== signer_node) return refuse('wrong_signer', `${vault_id} is hosted by ${vault.node_id}`);
  const key = state.enterprise_nodes[signer_node]?.public_key;
  if (!key || !verifyEd25519(key, digestBytes(digest), signature))
    return refuse('bad_signature', `the signature does not verify under ${signer_node}'s key`);
  return undefined;
}
