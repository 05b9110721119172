/**
 * The consent and semantic-registry operations of a master behind the HTTP API (part of
 * `MasterApi`). Expected failures are thrown as `ApiFailure` with catalog codes.
 */
import type {
  ActorView,
  CandidateList,
  CandidateQuery,
  CandidateView,
  ConsentList,
  ConsentQuery,
  ConsentView,
  DeclareMappingRequest,
  DelegationRevocationView,
  GrantConsentRequest,
  GrantList,
  GrantQuery,
  GrantView,
  IssueGrantRequest,
  PromoteCandidatesRequest,
  ProposeCandidateRequest,
  RegisterActorRequest,
  RevokeConsentRequest,
  RevokeDelegationRequest,
  SemanticDomainList,
  TaskResolution,
} from '@symphony/api';
import type { SemanticDomain, VaultMapping } from '@symphony/protocol';
import type { Caller } from './caller.ts';

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

/** Identity operations behind the HTTP API (part of `MasterApi`). */
export interface IdentityApi {
  registerActor(request: RegisterActorRequest, caller: Caller): Promise<ActorView>;
  issueGrant(vaultId: string, request: IssueGrantRequest, caller: Caller): Promise<GrantView>;
  revokeGrant(vaultId: string, grantId: string, caller: Caller): Promise<GrantView>;
  listGrants(vaultId: string, query: GrantQuery): GrantList;
  revokeDelegation(request: RevokeDelegationRequest, caller: Caller): Promise<DelegationRevocationView>;
}
