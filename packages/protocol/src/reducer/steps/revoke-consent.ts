import { consentKey } from '../../consent/consent-admits.ts';
import { attestationHash } from '../../crypto/attestation-digests.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';
import { vaultSigned } from './vault-attestation.ts';

/** Records a revocation signed by the Vault's node: it binds every task admitted after this entry. */
export const revokeConsent: Step<'consent_revoked'> = {
  check(state, e) {
    const r = e.revocation;
    const signed = vaultSigned(state, r.vault_id, r.signer_node, attestationHash('consent_revocation', r), r.signature);
    if (signed) return signed;
    const record = state.consents?.[consentKey(r.vault_id, r.subject, r.scope)];
    if (!record) return refuse('consent_not_found', `no consent of ${r.subject} for ${r.scope} in ${r.vault_id}`);
    if (r.revision !== record.revision + 1) return refuse('stale_revision', `revision must be ${record.revision + 1}`);
    return undefined;
  },
  run(state, e, at) {
    const r = e.revocation;
    const record = state.consents![consentKey(r.vault_id, r.subject, r.scope)]!;
    record.revision = r.revision;
    record.changes.push({ seq: at.seq, time_ms: at.time_ms, action: 'revoked' });
  },
};
