/** The semantic registry: read domains, declare Vault mappings, propose and promote candidates, read a resolution. */
import {
  AttributeDefinition,
  AttributeDerivation,
  AttributeName,
  DomainName,
  EpochId,
  Hex64String,
  SemanticDomain,
  SemanticVersion,
  TaskId,
  VaultId,
} from '@symphony/protocol';
import Type, { type Static } from 'typebox';

export const SemanticDomainList = Type.Object(
  { domains: Type.Array(SemanticDomain, { description: 'Every published domain version, by name then version.' }) },
  { additionalProperties: false },
);
export type SemanticDomainList = Static<typeof SemanticDomainList>;

export const DeclareMappingRequest = Type.Object(
  {
    domain: DomainName,
    semantic_version: SemanticVersion,
    fields: Type.Array(AttributeDerivation, { minItems: 1, maxItems: 512 }),
  },
  {
    additionalProperties: false,
    description:
      'How the Vault derives canonical attributes from its local fields, e.g. total_amount = sum(items.price).',
  },
);
export type DeclareMappingRequest = Static<typeof DeclareMappingRequest>;

export const ProposeCandidateRequest = Type.Object(
  { vault_id: VaultId, domain: DomainName, attribute: AttributeDefinition },
  { additionalProperties: false, description: 'A Vault proposes a local attribute for the canonical registry.' },
);
export type ProposeCandidateRequest = Static<typeof ProposeCandidateRequest>;

export const CandidateView = Type.Object(
  {
    epoch_id: EpochId,
    domain: DomainName,
    attribute: AttributeDefinition,
    vaults: Type.Array(VaultId, { description: 'Distinct Vaults that proposed this definition in the epoch.' }),
    promoted_to: Type.Optional(SemanticVersion),
  },
  { additionalProperties: false },
);
export type CandidateView = Static<typeof CandidateView>;

export const CandidateList = Type.Object(
  { candidates: Type.Array(CandidateView), min_vaults: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);
export type CandidateList = Static<typeof CandidateList>;

export const CandidateQuery = Type.Object({ epoch_id: Type.Optional(EpochId) }, { additionalProperties: false });
export type CandidateQuery = Static<typeof CandidateQuery>;

export const PromoteCandidatesRequest = Type.Object(
  {
    domain: DomainName,
    from_version: SemanticVersion,
    semantic_version: SemanticVersion,
    epoch_id: EpochId,
    attributes: Type.Array(AttributeName, { minItems: 1, maxItems: 64, uniqueItems: true }),
  },
  {
    additionalProperties: false,
    description: "Governance promotes a closed epoch's candidates into a new version of the domain.",
  },
);
export type PromoteCandidatesRequest = Static<typeof PromoteCandidatesRequest>;

export const TaskResolution = Type.Object(
  {
    task_id: TaskId,
    resolution_hash: Hex64String,
    resolution: Type.Object(
      {
        task_id: TaskId,
        domain: DomainName,
        semantic_version: SemanticVersion,
        bindings: Type.Array(
          Type.Object(
            {
              vault_id: VaultId,
              mapping_hash: Type.Optional(Hex64String),
              attributes: Type.Array(
                Type.Object({ attribute: AttributeName, derivation: Type.String() }, { additionalProperties: false }),
              ),
            },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, description: 'The auditable resolution artifact of a task; its hash is in the log.' },
);
export type TaskResolution = Static<typeof TaskResolution>;
