/**
 * Every route of the SCS HTTP API with the schemas the server validates and answers with
 * (`@symphony/api`). The client's methods are typed with the schemas' `Static` types and call the
 * routes by their `operationId`; a test checks this table against the server's OpenAPI document.
 */
import {
  AccountingView,
  ActorView,
  AnchorView,
  CandidateList,
  CandidateView,
  ChallengeDetail,
  ChallengeList,
  ChallengeReplayBundle,
  ChallengeView,
  CloseEpochResponse,
  ConsentList,
  ConsentView,
  DelegationRevocationView,
  EpochList,
  GrantList,
  GrantView,
  Health,
  IngestRecordsResponse,
  LogPage,
  NetworkView,
  ParticipationView,
  PayoutBatchView,
  PayoutClaimProofView,
  PayoutList,
  ProgramDecisionView,
  RewardList,
  SemanticDomainList,
  SettlementProof,
  SettlementView,
  StakeView,
  TaskEvents,
  TaskList,
  TaskResolution,
  TaskResult,
  TaskRounds,
  TaskView,
  UploadResponse,
  VaultCommitmentsView,
  VaultList,
  VaultSnapshotView,
  VaultView,
} from '@symphony/api';
import { SemanticDomain, VaultMapping } from '@symphony/protocol';
import Type, { type TSchema } from 'typebox';

/** One route: its method, its path template (`:name` parameters) and the schema of its success answer. */
export type RouteSpec = { method: 'GET' | 'POST' | 'DELETE'; path: string; response: TSchema };

const route = (method: RouteSpec['method'], path: string, response: TSchema): RouteSpec => ({ method, path, response });

/** The API's routes by operationId (the OpenAPI document's names). */
export const ROUTES = {
  grantConsents: route('POST', '/v1/consents', Type.Object({ consents: Type.Array(ConsentView) })),
  revokeConsent: route('POST', '/v1/consents/revoke', ConsentView),
  listConsents: route('GET', '/v1/consents', ConsentList),
  listSemanticDomains: route('GET', '/v1/semantic/domains', SemanticDomainList),
  getSemanticDomain: route('GET', '/v1/semantic/domains/:domain/versions/:version', SemanticDomain),
  declareVaultMapping: route('POST', '/v1/vaults/:vaultId/semantic-mapping', VaultMapping),
  proposeCandidate: route('POST', '/v1/semantic/candidates', CandidateView),
  listCandidates: route('GET', '/v1/semantic/candidates', CandidateList),
  promoteCandidates: route('POST', '/v1/semantic/promotions', SemanticDomain),
  getTaskResolution: route('GET', '/v1/tasks/:taskId/resolution', TaskResolution),
  ingestRecords: route('POST', '/v1/vaults/:vaultId/records', IngestRecordsResponse),
  uploadRecords: route('POST', '/v1/vaults/:vaultId/uploads', UploadResponse),
  uploadDocument: route('POST', '/v1/vaults/:vaultId/documents', UploadResponse),
  listVaults: route('GET', '/v1/vaults', VaultList),
  getVault: route('GET', '/v1/vaults/:vaultId', VaultView),
  getVaultCommitments: route('GET', '/v1/vaults/:vaultId/commitments', VaultCommitmentsView),
  publishVaultSnapshot: route('POST', '/v1/vaults/:vaultId/snapshots', VaultSnapshotView),
  submitTask: route('POST', '/v1/tasks', TaskView),
  listTasks: route('GET', '/v1/tasks', TaskList),
  getTask: route('GET', '/v1/tasks/:taskId', TaskView),
  getTaskEvents: route('GET', '/v1/tasks/:taskId/events', TaskEvents),
  getTaskRounds: route('GET', '/v1/tasks/:taskId/rounds', TaskRounds),
  getTaskResult: route('GET', '/v1/tasks/:taskId/result', TaskResult),
  listEpochs: route('GET', '/v1/epochs', EpochList),
  closeCurrentEpoch: route('POST', '/v1/epochs/current/close', CloseEpochResponse),
  getSettlement: route('GET', '/v1/epochs/:epochId/settlement', SettlementView),
  retrySettlement: route('POST', '/v1/epochs/:epochId/settlement/retry', SettlementView),
  getSettlementProof: route('GET', '/v1/epochs/:epochId/settlement/proofs/:entryId', SettlementProof),
  getEpochAccounting: route('GET', '/v1/epochs/:epochId/accounting', AccountingView),
  getEpochAnchor: route('GET', '/v1/epochs/:epochId/anchor', AnchorView),
  readLog: route('GET', '/v1/log', LogPage),
  listRewards: route('GET', '/v1/rewards', RewardList),
  getNetwork: route('GET', '/v1/network', NetworkView),
  getHealth: route('GET', '/healthz', Health),
  getMetrics: route('GET', '/metrics', Type.String()),
  getOpenApi: route('GET', '/openapi.json', Type.Unknown()),
  acceptParticipation: route('POST', '/v1/tasks/:taskId/participation', ParticipationView),
  listChallenges: route('GET', '/v1/challenges', ChallengeList),
  openChallenge: route('POST', '/v1/challenges', ChallengeDetail),
  getChallenge: route('GET', '/v1/challenges/:challengeId', ChallengeDetail),
  getChallengeReplay: route('GET', '/v1/challenges/:challengeId/replay', ChallengeReplayBundle),
  reopenChallenge: route('POST', '/v1/challenges/:challengeId/evidence', ChallengeDetail),
  approveChallenge: route('POST', '/v1/challenges/:challengeId/approve', ChallengeView),
  decideProgram: route('POST', '/v1/vaults/:vaultId/programs', ProgramDecisionView),
  depositStake: route('POST', '/v1/stakes/deposit', StakeView),
  unbondStake: route('POST', '/v1/stakes/unbond', StakeView),
  withdrawStake: route('POST', '/v1/stakes/withdraw', StakeView),
  getStake: route('GET', '/v1/stakes/:actorId', StakeView),
  listPayouts: route('GET', '/v1/payouts', PayoutList),
  getPayoutBatch: route('GET', '/v1/payouts/batches/:batchId', PayoutBatchView),
  getPayoutClaim: route('GET', '/v1/payouts/batches/:batchId/claims/:actorId', PayoutClaimProofView),
  executePayoutBatch: route('POST', '/v1/payouts/batches/:batchId/executed', PayoutBatchView),
  registerActor: route('POST', '/v1/actors', ActorView),
  issueGrant: route('POST', '/v1/vaults/:vaultId/grants', GrantView),
  listGrants: route('GET', '/v1/vaults/:vaultId/grants', GrantList),
  revokeGrant: route('DELETE', '/v1/vaults/:vaultId/grants/:grantId', GrantView),
  revokeDelegation: route('POST', '/v1/delegations/revoke', DelegationRevocationView),
} as const satisfies Record<string, RouteSpec>;

/** An operationId of {@link ROUTES}. */
export type OperationId = keyof typeof ROUTES;

/** The path of `operation` with its parameters filled in (each URI-encoded). */
export function routePath(operation: OperationId, params: Record<string, string | number> = {}): string {
  return ROUTES[operation].path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`${operation}: missing path parameter ${name}`);
    return encodeURIComponent(String(value));
  });
}
