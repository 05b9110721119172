/** Consent fixtures for tests that run tasks: subjects consent to a scope until far in the future. */
import type { GrantConsentRequest } from '@symphony/api';
import type { UsageScope } from '@symphony/protocol';
import type { MasterApi } from '../../src/application/master-api.ts';
import type { ConsentOracle } from '../../src/data/consent-gate.ts';

/** 2100-01-01: an expiry no test reaches. */
export const FAR_FUTURE_MS = Date.UTC(2100, 0, 1);

/** Grant requests for every subject in a Vault. */
export function consentGrants(
  vault_id: string,
  subjects: readonly string[],
  scope: UsageScope = 'analytics',
  expires_at_ms = FAR_FUTURE_MS,
): GrantConsentRequest[] {
  return [...new Set(subjects)].map((subject) => ({ vault_id, subject, scope, expires_at_ms }));
}

/** Records consent of every subject through the master's API (signed by the Vault's node, appended to the log). */
export async function grantConsents(
  api: MasterApi,
  vault_id: string,
  subjects: readonly string[],
  scope: UsageScope = 'analytics',
): Promise<void> {
  await api.consent.grant(consentGrants(vault_id, subjects, scope));
}

/**
 * A consent oracle under which every subject consented: for replay tests, whose subject is
 * determinism, not consent (consent filtering is proven by the consent tests).
 */
export const everySubjectConsents: ConsentOracle = {
  gateFor: async (envelope) => ({ scope: envelope.consent_scope, admits: () => true }),
};
