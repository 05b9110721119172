/**
 * Digests of the statements Vault operators and governance sign (consent, Vault mappings,
 * semantic candidates and promotions): the domain hash of the object without its `signature`.
 */
import { domainHash, type Hex64 } from '../hashing/domain-hash.ts';
import type { ConsentGrant, ConsentRevocation } from '../objects/consent.ts';
import { DomainTags } from '../objects/domain-tags.ts';
import type { SemanticCandidate, SemanticPromotion, VaultMapping } from '../objects/semantic-governance.ts';

type Unsigned<T> = Omit<T, 'signature'> & { signature?: string };

function strip<T extends { signature?: string }>(value: T): Omit<T, 'signature'> {
  const { signature: _, ...rest } = value;
  return rest;
}

/** The kinds of signed statement, with the domain tag of each. */
export const ATTESTATION_TAGS = {
  consent_grant: DomainTags.consentGrant,
  consent_revocation: DomainTags.consentRevocation,
  vault_mapping: DomainTags.vaultMapping,
  semantic_candidate: DomainTags.semanticCandidate,
  semantic_promotion: DomainTags.semanticPromotion,
} as const;
export type AttestationKind = keyof typeof ATTESTATION_TAGS;

export type AttestationOf = {
  consent_grant: ConsentGrant;
  consent_revocation: ConsentRevocation;
  vault_mapping: VaultMapping;
  semantic_candidate: SemanticCandidate;
  semantic_promotion: SemanticPromotion;
};

/** What the signer of a statement of `kind` signs (its identity too). */
export function attestationHash<K extends AttestationKind>(kind: K, value: Unsigned<AttestationOf[K]>): Hex64 {
  return domainHash(ATTESTATION_TAGS[kind], strip(value));
}
