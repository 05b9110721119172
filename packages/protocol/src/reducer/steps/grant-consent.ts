import { consentKey } from '../../consent/consent-admits.ts';
import { attestationHash } from '../../crypto/attestation-digests.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';
import { vaultSigned } from './vault-attestation.ts';

/**
 * Records consent grants, each signed by its Vault's node. A grant's revision must be the next one
 * for its (vault, subject, scope), counting earlier grants of the same entry, so a replayed
 * statement is refused; a grant must not already have expired. One bad grant refuses the entry.
 */
export const grantConsent: Step<'consent_granted'> = {
  check(state, e, at) {
    const revisions = new Map<string, number>();
    for (const [i, c] of e.consents.entries()) {
      const signed = vaultSigned(state, c.vault_id, c.signer_node, attestationHash('consent_grant', c), c.signature);
      if (signed) return refuse(signed.code, `consents[${i}]: ${signed.message}`);
      const key = consentKey(c.vault_id, c.subject, c.scope);
      const current = revisions.get(key) ?? state.consents?.[key]?.revision ?? 0;
      if (c.revision !== current + 1)
        return refuse('stale_revision', `consents[${i}]: revision must be ${current + 1}`);
      revisions.set(key, c.revision);
      if (c.expires_at_ms <= at.time_ms)
        return refuse('consent_expired', `consents[${i}]: expires_at_ms is not after the entry time`);
    }
    return undefined;
  },
  run(state, e, at) {
    state.consents ??= {};
    for (const c of e.consents) {
      const key = consentKey(c.vault_id, c.subject, c.scope);
      const record = state.consents[key] ?? {
        vault_id: c.vault_id,
        subject: c.subject,
        scope: c.scope,
        revision: 0,
        changes: [],
      };
      record.revision = c.revision;
      record.changes.push({ seq: at.seq, time_ms: at.time_ms, action: 'granted', expires_at_ms: c.expires_at_ms });
      state.consents[key] = record;
    }
  },
};
