/**
 * Consent of a data subject for one usage scope over its records in one Vault. Grants and
 * revocations are signed by the key of the enterprise node hosting the Vault (the Vault operator
 * records them on the subject's behalf) and ordered in the protocol log, so every node agrees on
 * which records may contribute to a task admitted at a given log position.
 */
import Type, { type Static } from 'typebox';
import { ActorId, NodeId, SchemaVersion, SignatureHex, TimeMs, UsageScopeSchema, VaultId } from './common.ts';

/** Every change of one (vault, subject, scope) consent carries the next revision: a replayed statement is refused. */
const Revision = Type.Integer({ minimum: 1, maximum: 2 ** 31, description: 'Previous revision + 1.' });

export const ConsentGrant = Type.Object(
  {
    schema_version: SchemaVersion,
    vault_id: VaultId,
    subject: ActorId,
    scope: UsageScopeSchema,
    revision: Revision,
    expires_at_ms: TimeMs,
    signer_node: NodeId,
    signature: SignatureHex,
  },
  { additionalProperties: false, description: 'A data subject consents to a usage scope until an expiry (log time).' },
);
export type ConsentGrant = Static<typeof ConsentGrant>;

export const ConsentRevocation = Type.Object(
  {
    schema_version: SchemaVersion,
    vault_id: VaultId,
    subject: ActorId,
    scope: UsageScopeSchema,
    revision: Revision,
    signer_node: NodeId,
    signature: SignatureHex,
  },
  { additionalProperties: false, description: 'A data subject withdraws a consent; it binds every later admission.' },
);
export type ConsentRevocation = Static<typeof ConsentRevocation>;
