/** Consent of data subjects per usage scope: grant, revoke, list. */
import { ActorId, TimeMs, UsageScopeSchema, VaultId } from '@symphony/protocol';
import Type, { type Static } from 'typebox';

export const GrantConsentRequest = Type.Object(
  {
    vault_id: VaultId,
    subject: ActorId,
    scope: UsageScopeSchema,
    /** Log time after which the consent lapses. */
    expires_at_ms: TimeMs,
  },
  {
    additionalProperties: false,
    description: "A data subject's consent, recorded by the Vault's operator node on its behalf.",
  },
);
export type GrantConsentRequest = Static<typeof GrantConsentRequest>;

export const RevokeConsentRequest = Type.Object(
  { vault_id: VaultId, subject: ActorId, scope: UsageScopeSchema },
  { additionalProperties: false, description: 'Withdraws a consent; binds every task admitted afterwards.' },
);
export type RevokeConsentRequest = Static<typeof RevokeConsentRequest>;

export const ConsentView = Type.Object(
  {
    vault_id: VaultId,
    subject: ActorId,
    scope: UsageScopeSchema,
    revision: Type.Integer({ minimum: 1 }),
    status: Type.Enum(['granted', 'revoked', 'expired']),
    expires_at_ms: Type.Optional(TimeMs),
    updated_seq: Type.Integer({ minimum: 0, description: 'Log position of the last change.' }),
  },
  { additionalProperties: false },
);
export type ConsentView = Static<typeof ConsentView>;

export const ConsentList = Type.Object({ consents: Type.Array(ConsentView) }, { additionalProperties: false });
export type ConsentList = Static<typeof ConsentList>;

export const ConsentQuery = Type.Object(
  {
    vault_id: Type.Optional(VaultId),
    subject: Type.Optional(ActorId),
    scope: Type.Optional(UsageScopeSchema),
  },
  { additionalProperties: false },
);
export type ConsentQuery = Static<typeof ConsentQuery>;
