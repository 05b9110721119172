import { consentKey } from '../../consent/consent-admits.ts';
import { attestationHash } from '../../crypto/attestation-digests.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';
import { vaultSigned } from './vault-attestation.ts';

/**
 * Records a consent grant signed by the Vault's node. Its revision must be the next one for the
 * (vault, subject, scope), so a replayed statement is refused, and it must not already have expired.
 */
export const grantConsent: Step<'consent_granted'> = {
  check(state, e, at) {
    const c = e.consent;
    const signed = vaultSigned(state, c.vault_id, c.signer_node, attestationHash('consent_grant', c), c.signature);
    if (signed) return signed;
    const current = state.consents?.[consentKey(c.vault_id, c.subject, c.scope)]?.revision ?? 0;
    if (c.revision !== current + 1) return refuse('stale_revision', `revision must be ${current + 1}`);
    if (c.expires_at_ms <= at.time_ms) return refuse('consent_expired', 'expires_at_ms is not after the entry time');
    return undefined;
  },
  run(state, e, at) {
    const c = e.consent;
    state.consents ??= {};
    const key = consentKey(c.vault_id, c.subject, c.scope);
    const record = state.consents[key] ?? {
      vault_id: c.vault_id,
      subject: c.subject,
      scope: c.scope,
      revision: 0,
      changes: [],
    };
    state.consents[key] = record;
    record.revision = c.revision;
    record.changes.push({ seq: at.seq, time_ms: at.time_ms, action: 'granted', expires_at_ms: c.expires_at_ms });
  },
};
