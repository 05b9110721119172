/**
 * Shared building blocks of every protocol object: identifiers, version keys, amounts, hashes.
 * Schemas are typebox (JSON Schema); `Static<typeof X>` gives the TypeScript type.
 */
import Type from 'typebox';

/** Every protocol object carries this `schema_version`. */
export const SCHEMA_VERSION = 1 as const;
export const SchemaVersion = Type.Literal(SCHEMA_VERSION, { description: 'Version of this object schema.' });

export const Hex64String = Type.String({
  pattern: '^[0-9a-f]{64}$',
  description: 'SHA-256 digest, 64 lowercase hex characters.',
});
export const PublicKeyHex = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'Raw Ed25519 public key, hex.' });
export const SignatureHex = Type.String({ pattern: '^[0-9a-f]{128}$', description: 'Ed25519 signature, hex.' });

/** Integer amount of SYM base units as a decimal string (no floats in anything settled). */
export const AmountString = Type.String({
  pattern: '^(0|[1-9][0-9]{0,77})$',
  description: 'Non-negative integer in base units, decimal string.',
});
/** A decimal number carried as a string where a fraction is unavoidable (e.g. a learning rate). */
export const DecimalString = Type.String({
  pattern: '^-?(0|[1-9][0-9]{0,17})(\\.[0-9]{1,18})?$',
  description: 'Decimal number as a string.',
});

export const TimeMs = Type.Integer({
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  description: 'Milliseconds since the Unix epoch, as ordered by the log.',
});
export const EpochId = Type.Integer({
  minimum: 1,
  maximum: 2 ** 40,
  description: 'Epoch number; the first epoch is 1.',
});
export const PolicyVersion = Type.Integer({
  minimum: 1,
  maximum: 2 ** 31,
  description: 'Governance parameter-set version.',
});
export const SemanticVersion = Type.String({
  pattern: '^(0|[1-9][0-9]{0,5})\\.(0|[1-9][0-9]{0,5})\\.(0|[1-9][0-9]{0,5})$',
  description: 'Semantic registry version (semver MAJOR.MINOR.PATCH).',
});
export const Count = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

const id = (prefix: string, description: string) =>
  Type.String({ pattern: `^${prefix}_[0-9a-z][0-9a-z_-]{0,62}$`, description });
export const TaskId = id('tsk', 'Task identifier.');
export const ActorId = id('act', 'Actor (account) identifier.');
export const NodeId = id('node', 'Node identifier (master or enterprise).');
export const VaultId = id('vlt', 'Vault identifier.');
export const ChallengeId = id('chl', 'Challenge identifier.');
export const RecordId = id('rec', 'Record identifier inside a Vault.');
export const GrantId = id('grt', 'Vault grant identifier.');
export const NetworkId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'Network name.' });
export const DomainName = Type.String({
  pattern: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*){0,4}$',
  description: 'Semantic domain, e.g. commerce.receipt.',
});
export const AttributeName = Type.String({
  pattern: '^[a-z][a-z0-9_]{0,63}$',
  description: 'Canonical attribute name.',
});
export const ReasonCode = Type.String({
  pattern: '^[a-z][a-z0-9_]{0,63}$',
  description: 'Stable machine-readable reason code.',
});

export const TASK_CLASSES = ['parse', 'query', 'compute', 'train'] as const;
export type TaskClass = (typeof TASK_CLASSES)[number];
export const TaskClassSchema = Type.Enum(TASK_CLASSES);

/** The seven SCP actors. */
export const ACTOR_ROLES = [
  'data_producer',
  'task_submitter',
  'vault_operator',
  'executor',
  'verifier',
  'governance',
  'treasury',
] as const;
export type ActorRole = (typeof ACTOR_ROLES)[number];
export const ActorRoleSchema = Type.Enum(ACTOR_ROLES);

/** Roles that receive a share of a task fee. */
export const CONTRIBUTOR_ROLES = ['data_producer', 'vault_operator', 'executor', 'verifier', 'treasury'] as const;
export type ContributorRole = (typeof CONTRIBUTOR_ROLES)[number];
export const ContributorRoleSchema = Type.Enum(CONTRIBUTOR_ROLES);

export const USAGE_SCOPES = ['analytics', 'marketing', 'model_training', 'personal_finance', 'research'] as const;
export type UsageScope = (typeof USAGE_SCOPES)[number];
export const UsageScopeSchema = Type.Enum(USAGE_SCOPES);
