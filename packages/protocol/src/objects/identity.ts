/**
 * Identity and authorization objects of the admission plane: Vault grants (a Vault operator lets a
 * submitter run some task classes on some canonical attributes of its Vault) and delegation
 * credentials (a user lets an agent submit on its behalf, within a scope and a spending cap).
 */
import Type, { type Static } from 'typebox';
import {
  ActorId,
  AmountString,
  AttributeName,
  DomainName,
  GrantId,
  SchemaVersion,
  SignatureHex,
  TaskClassSchema,
  TimeMs,
  UsageScopeSchema,
  VaultId,
} from './common.ts';

export const VaultGrant = Type.Object(
  {
    schema_version: SchemaVersion,
    grant_id: GrantId,
    vault_id: VaultId,
    issuer: ActorId,
    grantee: ActorId,
    task_classes: Type.Array(TaskClassSchema, { minItems: 1, maxItems: 4, uniqueItems: true }),
    domain: DomainName,
    attributes: Type.Array(AttributeName, { minItems: 1, maxItems: 128, uniqueItems: true }),
    expires_at_ms: Type.Optional(TimeMs),
  },
  {
    additionalProperties: false,
    description: "A Vault operator's permission: which task classes a submitter may run on which attributes.",
  },
);
export type VaultGrant = Static<typeof VaultGrant>;

export const DelegationCredential = Type.Object(
  {
    schema_version: SchemaVersion,
    principal: ActorId,
    agent: ActorId,
    vault_ids: Type.Array(VaultId, { minItems: 1, maxItems: 1024, uniqueItems: true }),
    task_classes: Type.Array(TaskClassSchema, { minItems: 1, maxItems: 4, uniqueItems: true }),
    consent_scopes: Type.Array(UsageScopeSchema, { minItems: 1, maxItems: 8, uniqueItems: true }),
    expires_at_ms: TimeMs,
    max_spend: AmountString,
    nonce: Type.String({ pattern: '^[0-9a-f]{16,64}$' }),
  },
  {
    additionalProperties: false,
    description: 'What a user lets an agent do on its behalf; signed by the user (scp/v1/delegation-credential).',
  },
);
export type DelegationCredential = Static<typeof DelegationCredential>;

export const SignedDelegation = Type.Object(
  { credential: DelegationCredential, signature: SignatureHex },
  { additionalProperties: false, description: "A delegation credential and the principal's Ed25519 signature." },
);
export type SignedDelegation = Static<typeof SignedDelegation>;
