import { attestationHash } from '../../crypto/attestation-digests.ts';
import { mappingProblems } from '../../semantic/vault-mapping.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';
import { vaultSigned } from './vault-attestation.ts';

/**
 * A Vault declares how its local fields derive the attributes of a domain at a published version.
 * Later declarations take over for tasks admitted after them; earlier tasks keep theirs.
 */
export const declareVaultMapping: Step<'vault_mapping_declared'> = {
  check(state, e) {
    const m = e.mapping;
    const signed = vaultSigned(state, m.vault_id, m.signer_node, attestationHash('vault_mapping', m), m.signature);
    if (signed) return signed;
    const domain = state.semantic_domains[`${m.domain}@${m.semantic_version}`];
    if (!domain) return refuse('unknown_semantic_version', `${m.domain}@${m.semantic_version} is not published`);
    const problems = mappingProblems(m, domain);
    return problems.length > 0 ? refuse('invalid_mapping', problems.join('; ').slice(0, 240)) : undefined;
  },
  run(state, e, at) {
    state.vault_mappings ??= {};
    const list = state.vault_mappings[e.mapping.vault_id] ?? [];
    list.push({ seq: at.seq, mapping: e.mapping });
    state.vault_mappings[e.mapping.vault_id] = list;
  },
};
