/**
 * The consent and semantic-registry operations of a master behind the HTTP API (part of
 * `MasterApi`). Expected failures are thrown as `ApiFailure` with catalog codes.
 */
import type {
  CandidateList,
  CandidateQuery,
  CandidateView,
  ConsentList,
  ConsentQuery,
  ConsentView,
  DeclareMappingRequest,
  GrantConsentRequest,
  PromoteCandidatesRequest,
  ProposeCandidateRequest,
  RevokeConsentRequest,
  SemanticDomainList,
  TaskResolution,
} from '@symphony/api';
import type { SemanticDomain, VaultMapping } from '@symphony/protocol';

export interface ConsentApi {
  /** Records each grant, signed by the Vault's node, as a `consent_granted` log event (in order). */
  grant(grants: readonly GrantConsentRequest[]): Promise<ConsentView[]>;
  /** Records a `consent_revoked` event; fails with `consent_not_found` when there is nothing to revoke. */
  revoke(request: RevokeConsentRequest): Promise<ConsentView>;
  list(query: ConsentQuery): ConsentList;
}

export interface SemanticApi {
  domains(): SemanticDomainList;
  domain(name: string, version: string): SemanticDomain | undefined;
  declareMapping(vaultId: string, request: DeclareMappingRequest): Promise<VaultMapping>;
  propose(request: ProposeCandidateRequest): Promise<CandidateView>;
  candidates(query: CandidateQuery): CandidateList;
  /** Governance action: signs and appends the promotion; answers the new domain version. */
  promote(request: PromoteCandidatesRequest): Promise<SemanticDomain>;
  /** The resolution artifact of a task, recomputed from the log and checked against its hash. */
  resolution(taskId: string): Promise<TaskResolution>;
}
