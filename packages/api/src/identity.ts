/** Identity administration: actor registration, Vault grants and delegation revocation. */
import {
  ActorId,
  ActorRoleSchema,
  AttributeName,
  DelegationCredential,
  DomainName,
  GrantId,
  PublicKeyHex,
  TaskClassSchema,
  TimeMs,
  VaultId,
} from '@symphony/protocol';
import Type, { type Static } from 'typebox';

/** Roles an actor may take for itself; every other role is given by governance. */
export const SELF_SERVICE_ROLES = ['data_producer', 'task_submitter'] as const;

export const RegisterActorRequest = Type.Object(
  {
    actor_id: ActorId,
    roles: Type.Array(ActorRoleSchema, { minItems: 1, maxItems: 7, uniqueItems: true }),
    public_key: PublicKeyHex,
  },
  {
    additionalProperties: false,
    description:
      'Registers an actor. Signed by a governance actor (any roles), or by the new key itself ' +
      '(self-registration: keyid = actor_id, roles among data_producer and task_submitter only).',
  },
);
export type RegisterActorRequest = Static<typeof RegisterActorRequest>;

export const ActorView = Type.Object(
  {
    actor_id: ActorId,
    roles: Type.Array(ActorRoleSchema),
    public_key: PublicKeyHex,
    registered_seq: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type ActorView = Static<typeof ActorView>;

export const IssueGrantRequest = Type.Object(
  {
    /** Chosen by the server when absent. */
    grant_id: Type.Optional(GrantId),
    grantee: ActorId,
    task_classes: Type.Array(TaskClassSchema, { minItems: 1, maxItems: 4, uniqueItems: true }),
    domain: DomainName,
    attributes: Type.Array(AttributeName, { minItems: 1, maxItems: 128, uniqueItems: true }),
    expires_at_ms: Type.Optional(TimeMs),
  },
  { additionalProperties: false, description: "The Vault operator's permission for one submitter." },
);
export type IssueGrantRequest = Static<typeof IssueGrantRequest>;

export const GrantView = Type.Object(
  {
    grant_id: GrantId,
    vault_id: VaultId,
    issuer: ActorId,
    grantee: ActorId,
    task_classes: Type.Array(TaskClassSchema),
    domain: DomainName,
    attributes: Type.Array(AttributeName),
    expires_at_ms: Type.Optional(TimeMs),
    status: Type.Enum(['live', 'revoked', 'expired']),
    issued_seq: Type.Integer({ minimum: 0 }),
    revoked_seq: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type GrantView = Static<typeof GrantView>;

export const GrantList = Type.Object({ grants: Type.Array(GrantView) }, { additionalProperties: false });
export type GrantList = Static<typeof GrantList>;

export const GrantQuery = Type.Object(
  { grantee: Type.Optional(ActorId), status: Type.Optional(Type.Enum(['live', 'revoked', 'expired'])) },
  { additionalProperties: false },
);
export type GrantQuery = Static<typeof GrantQuery>;

export const RevokeDelegationRequest = Type.Object(
  { credential: DelegationCredential },
  {
    additionalProperties: false,
    description: 'Withdraws a delegation credential for every later task; signed by its principal.',
  },
);
export type RevokeDelegationRequest = Static<typeof RevokeDelegationRequest>;

export const DelegationRevocationView = Type.Object(
  { principal: ActorId, credential_hash: Type.String({ pattern: '^[0-9a-f]{64}$' }), revoked_seq: Type.Integer() },
  { additionalProperties: false },
);
export type DelegationRevocationView = Static<typeof DelegationRevocationView>;
