/**
 * Consent at the API edge: grants and revocations are signed by the node hosting the Vault (the
 * Vault operator records them for its data subjects) and appended to the protocol log, so every
 * master and enterprise node folds the same consent history.
 */
import type { ConsentList, ConsentQuery, ConsentView, GrantConsentRequest, RevokeConsentRequest } from '@symphony/api';
import { type ConsentRecord, consentKey, type ProtocolState } from '@symphony/protocol';
import type { LogWriter } from '../coordination/log-writer.ts';
import type { StateFollower } from '../coordination/state-follower.ts';
import type { Bus } from '../ports/bus.ts';
import type { ConsentApi } from './admission-api.ts';
import { ApiFailure } from './master-api.ts';
import { vaultAttestation, vaultAttestations } from './vault-attestation.ts';

/** How a consent stands at the head of the log. */
export function consentView(state: ProtocolState, r: ConsentRecord): ConsentView {
  const last = r.changes[r.changes.length - 1]!;
  const status =
    last.action === 'revoked' ? 'revoked' : (last.expires_at_ms ?? 0) <= state.last_time_ms ? 'expired' : 'granted';
  return {
    vault_id: r.vault_id,
    subject: r.subject,
    scope: r.scope,
    revision: r.revision,
    status,
    ...(last.expires_at_ms !== undefined ? { expires_at_ms: last.expires_at_ms } : {}),
    updated_seq: last.seq,
  };
}

export class ConsentService implements ConsentApi {
  readonly #o: { follower: StateFollower; writer: LogWriter; bus: Bus; timeoutMs: number };

  constructor(opts: { follower: StateFollower; writer: LogWriter; bus: Bus; timeoutMs: number }) {
    this.#o = opts;
  }

  /** Signs every grant (one request per Vault node) and appends them as one `consent_granted` entry. */
  async grant(grants: readonly GrantConsentRequest[]): Promise<ConsentView[]> {
    const state = this.#o.follower.state;
    const revisions = new Map<string, number>();
    const unsigned = grants.map((g) => {
      const key = consentKey(g.vault_id, g.subject, g.scope);
      const revision = (revisions.get(key) ?? state.consents?.[key]?.revision ?? 0) + 1;
      revisions.set(key, revision);
      return { schema_version: 1 as const, ...g, revision };
    });
    const consents = await vaultAttestations(state, this.#o.bus, 'consent_grant', unsigned, this.#o.timeoutMs);
    const result = await this.#o.writer.append({ type: 'consent_granted', consents: consents as never });
    if (result.kind === 'refused')
      throw new ApiFailure('consent_refused', `the protocol refused the consents: ${result.refusal.message}`, {
        reason: result.refusal.code,
      });
    return grants.map((g) => this.#view(g.vault_id, g.subject, g.scope));
  }

  async revoke(r: RevokeConsentRequest): Promise<ConsentView> {
    const state = this.#o.follower.state;
    const record = state.consents?.[consentKey(r.vault_id, r.subject, r.scope)];
    if (!state.vaults[r.vault_id])
      throw new ApiFailure('unknown_vault', `vault ${r.vault_id} is not registered on this network`, {
        vault_id: r.vault_id,
      });
    if (!record)
      throw new ApiFailure('consent_not_found', `${r.subject} never consented to ${r.scope} in ${r.vault_id}`);
    const revocation = await vaultAttestation(
      state,
      this.#o.bus,
      'consent_revocation',
      r.vault_id,
      { schema_version: 1 as const, subject: r.subject, scope: r.scope, revision: record.revision + 1 },
      this.#o.timeoutMs,
    );
    const result = await this.#o.writer.append({ type: 'consent_revoked', revocation: revocation as never });
    if (result.kind === 'refused')
      throw new ApiFailure('consent_refused', `the protocol refused the revocation: ${result.refusal.message}`, {
        reason: result.refusal.code,
      });
    return this.#view(r.vault_id, r.subject, r.scope);
  }

  list(query: ConsentQuery): ConsentList {
    const state = this.#o.follower.state;
    const consents = Object.values(state.consents ?? {})
      .filter(
        (r) =>
          (!query.vault_id || r.vault_id === query.vault_id) &&
          (!query.subject || r.subject === query.subject) &&
          (!query.scope || r.scope === query.scope),
      )
      .map((r) => consentView(state, r))
      .sort((a, b) => a.updated_seq - b.updated_seq);
    return { consents };
  }

  #view(vault_id: string, subject: string, scope: string): ConsentView {
    const state = this.#o.follower.state;
    return consentView(state, state.consents![consentKey(vault_id, subject, scope)]!);
  }
}
