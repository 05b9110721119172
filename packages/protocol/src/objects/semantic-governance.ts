/**
 * Semantic governance objects: a Vault's mapping from its local fields to canonical attributes
 * (with derivation rules), a Vault's proposal of a candidate attribute, and the governance action
 * that promotes candidates into a new `semantic_version`.
 */
import Type, { type Static } from 'typebox';
import {
  AttributeName,
  DomainName,
  EpochId,
  NodeId,
  SchemaVersion,
  SemanticVersion,
  SignatureHex,
  VaultId,
} from './common.ts';
import { AttributeDefinition } from './semantic-domain.ts';

export const AttributeDerivation = Type.Object(
  {
    attribute: AttributeName,
    derivation: Type.String({
      minLength: 1,
      maxLength: 256,
      description: 'Rule over local fields, e.g. `sum(items.price)`, `shop_name`, `coalesce(city, town)`.',
    }),
  },
  { additionalProperties: false },
);
export type AttributeDerivation = Static<typeof AttributeDerivation>;

export const VaultMapping = Type.Object(
  {
    schema_version: SchemaVersion,
    vault_id: VaultId,
    domain: DomainName,
    semantic_version: SemanticVersion,
    fields: Type.Array(AttributeDerivation, { minItems: 1, maxItems: 512 }),
    signer_node: NodeId,
    signature: SignatureHex,
  },
  {
    additionalProperties: false,
    description: 'How a Vault serves the attributes of one domain (any version of the same major).',
  },
);
export type VaultMapping = Static<typeof VaultMapping>;

export const SemanticCandidate = Type.Object(
  {
    schema_version: SchemaVersion,
    vault_id: VaultId,
    domain: DomainName,
    attribute: AttributeDefinition,
    signer_node: NodeId,
    signature: SignatureHex,
  },
  { additionalProperties: false, description: 'A Vault proposes a local attribute for the canonical registry.' },
);
export type SemanticCandidate = Static<typeof SemanticCandidate>;

export const SemanticPromotion = Type.Object(
  {
    schema_version: SchemaVersion,
    domain: DomainName,
    from_version: SemanticVersion,
    semantic_version: SemanticVersion,
    epoch_id: EpochId,
    attributes: Type.Array(AttributeName, { minItems: 1, maxItems: 64, uniqueItems: true }),
    approver: NodeId,
    signature: SignatureHex,
  },
  {
    additionalProperties: false,
    description: "Governance promotes an epoch window's candidates into a new semantic_version of a domain.",
  },
);
export type SemanticPromotion = Static<typeof SemanticPromotion>;
