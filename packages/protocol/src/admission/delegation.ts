/**
 * Delegation credentials: a user signs (with its registered key) what an agent may submit on its
 * behalf. Any master verifies one offline from the log's actor registry: signature, agent, expiry,
 * Vaults, task classes, usage scope, revocation and the spending cap.
 */
import { verifyEd25519 } from '../crypto/ed25519.ts';
import { parseAmount } from '../encoding/amount.ts';
import { domainHash, type Hex64, hexToBytes } from '../hashing/domain-hash.ts';
import { DomainTags } from '../objects/domain-tags.ts';
import type { DelegationCredential, SignedDelegation } from '../objects/identity.ts';
import { type Refusal, refuse } from '../reducer/refusal.ts';
import type { ProtocolState } from '../reducer/state.ts';

/** `credential_hash`: what the principal signs (its 32 raw bytes) and what the envelope records. */
export function delegationHash(credential: DelegationCredential): Hex64 {
  return domainHash(DomainTags.delegationCredential, credential);
}

/** The bytes a principal signs for a credential. */
export const delegationSigningBytes = (credential: DelegationCredential): Uint8Array =>
  hexToBytes(delegationHash(credential));

/** What a delegated task asks for, checked against the credential. */
export type DelegatedUse = {
  agent: string;
  class: string;
  vault_ids: readonly string[];
  consent_scope: string;
  max_fee: string;
  now_ms: number;
};

/**
 * Refuses a delegation that does not allow this use; `undefined` when it does. Codes:
 * `bad_delegation_signature`, `delegation_wrong_agent`, `delegation_expired`, `delegation_revoked`,
 * `delegation_out_of_scope`, `delegation_spend_exceeded`.
 */
export function checkDelegation(
  state: ProtocolState,
  signed: SignedDelegation,
  use: DelegatedUse,
): Refusal | undefined {
  const c = signed.credential;
  const principal = state.actors[c.principal];
  if (!principal || !verifyEd25519(principal.public_key, delegationSigningBytes(c), signed.signature))
    return refuse('bad_delegation_signature', `the credential is not signed by ${c.principal}'s registered key`);
  if (c.agent !== use.agent) return refuse('delegation_wrong_agent', `the credential names agent ${c.agent}`);
  if (c.expires_at_ms <= use.now_ms) return refuse('delegation_expired', 'the delegation credential has expired');
  const hash = delegationHash(c);
  if (state.revoked_delegations[hash] !== undefined)
    return refuse('delegation_revoked', 'the delegation credential was revoked');
  const outside = use.vault_ids.filter((v) => !c.vault_ids.includes(v));
  if (outside.length > 0) return refuse('delegation_out_of_scope', `not delegated: ${outside.join(', ')}`);
  if (!c.task_classes.includes(use.class as never))
    return refuse('delegation_out_of_scope', `class ${use.class} is not delegated`);
  if (!c.consent_scopes.includes(use.consent_scope as never))
    return refuse('delegation_out_of_scope', `usage scope ${use.consent_scope} is not delegated`);
  let spent = 0n;
  for (const t of Object.values(state.tasks)) {
    if (t.delegation?.credential_hash !== hash) continue;
    const open = !['completed', 'rejected', 'timed_out'].includes(t.state);
    spent += parseAmount(t.fee ?? (open ? t.max_fee : '0'));
  }
  if (spent + parseAmount(use.max_fee) > parseAmount(c.max_spend))
    return refuse('delegation_spend_exceeded', `max_spend ${c.max_spend} would be exceeded`);
  return undefined;
}
