import { attestationHash } from '../../crypto/attestation-digests.ts';
import { candidateKey } from '../../semantic/vault-mapping.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';
import { vaultSigned } from './vault-attestation.ts';

/**
 * A Vault proposes a candidate attribute for a domain in the current epoch window. Proposals of
 * the same definition in one epoch are aggregated; each Vault counts once.
 */
export const proposeSemanticCandidate: Step<'semantic_candidate_proposed'> = {
  check(state, e, at) {
    const c = e.candidate;
    const signed = vaultSigned(state, c.vault_id, c.signer_node, attestationHash('semantic_candidate', c), c.signature);
    if (signed) return signed;
    if (!Object.values(state.semantic_domains).some((d) => d.domain === c.domain))
      return refuse('unknown_domain', `${c.domain} is not a published domain`);
    const existing = state.semantic_candidates?.[candidateKey(at.epoch_id, c.domain, c.attribute)];
    if (existing?.vaults.includes(c.vault_id))
      return refuse('duplicate_proposal', `${c.vault_id} already proposed this candidate in epoch ${at.epoch_id}`);
    return undefined;
  },
  run(state, e, at) {
    const c = e.candidate;
    state.semantic_candidates ??= {};
    const key = candidateKey(at.epoch_id, c.domain, c.attribute);
    const record = state.semantic_candidates[key] ?? {
      epoch_id: at.epoch_id,
      domain: c.domain,
      attribute: c.attribute,
      vaults: [],
    };
    record.vaults = [...record.vaults, c.vault_id].sort();
    state.semantic_candidates[key] = record;
  },
};
