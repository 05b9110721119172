/**
 * What the HTTP edge asks of a master node. The HTTP layer validates input against the schemas in
 * `@symphony/api`, maps `ApiFailure` codes to statuses from the error catalog, and never touches
 * the log, the stores or the bus itself.
 */
import type {
  AcceptParticipationRequest,
  AccountingView,
  AnchorView,
  ApiErrorCode,
  CloseEpochResponse,
  EpochList,
  Health,
  IngestRecordsRequest,
  IngestRecordsResponse,
  LogPage,
  NetworkView,
  ParticipationView,
  RewardList,
  RewardQuery,
  SettlementProof,
  SettlementView,
  SubmitTaskRequest,
  TaskEvents,
  TaskList,
  TaskListQuery,
  TaskResult,
  TaskRounds,
  TaskView,
  UploadResponse,
  VaultCommitmentsView,
  VaultSnapshotView,
  VaultView,
} from '@symphony/api';
import type { ConsentApi, IdentityApi, SemanticApi } from './admission-api.ts';
import type { ActorDirectory, Caller } from './caller.ts';
import type { ChallengeApi } from './challenge-api.ts';
import type { EconomicsApi } from './economics-api.ts';

/**
 * An expected failure with a stable code from the API error catalog. Its message never carries record contents.
 *
 * The HTTP edge answers with the code's catalog status and `{ code, message, details }`: message and
 * details reach the client as given (details as plain JSON), so neither may hold record contents, keys
 * or driver messages. For `unavailable`, `details.retry_after_seconds` (a positive integer, capped at
 * 3600) becomes the `Retry-After` header (default 1). Code `internal` is answered with a generic
 * message and no details, like any unexpected error.
 */
export class ApiFailure extends Error {
  override readonly name = 'ApiFailure';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/**
 * The master node's operations behind the HTTP API. Requests reach it only after validation against
 * the `@symphony/api` schemas; expected failures are thrown as `ApiFailure`, anything else is
 * answered as `internal` without its message.
 */
export interface MasterApi {
  network(): NetworkView;
  health(): Promise<Health>;
  /** Routes records to the enterprise node hosting the Vault. */
  ingest(vaultId: string, request: IngestRecordsRequest): Promise<IngestRecordsResponse>;
  /**
   * Admits a task. With an idempotency key, the same key and body return the same task
   * (`created: false`); the same key with another body fails with `idempotency_conflict`.
   */
  submitTask(
    request: SubmitTaskRequest,
    idempotencyKey?: string,
    caller?: Caller,
  ): Promise<{ task: TaskView; created: boolean }>;
  /** The registered actors, for request authentication (an api without one authenticates nobody). */
  directory?(): ActorDirectory;
  getTask(taskId: string): TaskView | undefined;
  listTasks(query: TaskListQuery): Promise<TaskList>;
  taskEvents(taskId: string): Promise<TaskEvents | undefined>;
  /** Every round of a Train task's current attempt; fails with `not_found` (no such task, or not a Train task). */
  taskRounds(taskId: string): TaskRounds;
  /** Fails with `not_found` or `result_not_ready`. */
  taskResult(taskId: string): Promise<TaskResult>;
  listEpochs(): EpochList;
  closeEpoch(): Promise<CloseEpochResponse>;
  settlement(epochId: number): SettlementView | undefined;
  /** Governance recovery of a failed settlement (`settlement_retried`); fails with `not_found` or `settlement_refused`. */
  retrySettlement?(epochId: number): Promise<SettlementView>;
  /** The inclusion proof of a task's entry in an epoch's settlement; fails with `not_found`. */
  settlementProof(epochId: number, entryId: string): SettlementProof;
  rewards(query: RewardQuery): RewardList;
  /** Runtime metrics in Prometheus text format (the HTTP layer appends its own). */
  metrics(): string;
  /** Brings figures owned by other nodes (Vault record counts, sizes) up to date before a scrape. */
  refreshMetrics?(): Promise<void>;
  /** Consent grants, revocations and their list. */
  readonly consent: ConsentApi;
  /** The semantic registry, Vault mappings, candidates and task resolutions. */
  readonly semantic: SemanticApi;
  /** Vault uploads and operations (absent on an edge that serves no Vault routes: they answer `unavailable`). */
  readonly vaults?: VaultOperations;
  /** Challenge ingress and views (absent: the challenge routes answer `unavailable`). */
  readonly challenges?: ChallengeApi;
  /** Acceptances of participant queries (absent: the route answers `unavailable`). */
  readonly participation?: {
    accept(task_id: string, req: AcceptParticipationRequest): Promise<ParticipationView>;
  };
  /** Staking and payouts (absent on an edge that serves neither: they answer `unavailable`). */
  readonly economics?: EconomicsApi;
  /** Actor registration, Vault grants and delegation revocation (absent: those routes answer `unavailable`). */
  readonly identity?: IdentityApi;
  /** The log with checkpoints, recorded accounting and anchors (absent: those routes answer `unavailable`). */
  readonly assurance?: AssuranceApi;
}

/** What the Vault routes ask of a master (implemented by `VaultEdge`). */
export interface VaultOperations {
  uploadRecords(
    vaultId: string,
    format: 'csv' | 'ndjson',
    body: AsyncIterable<Buffer | string>,
  ): Promise<UploadResponse>;
  uploadDocument(
    vaultId: string,
    subject: string,
    recordId: string | undefined,
    body: AsyncIterable<Buffer | string>,
  ): Promise<UploadResponse>;
  list(): Promise<VaultView[]>;
  show(vaultId: string): Promise<VaultView>;
  commitments(vaultId: string): Promise<VaultCommitmentsView>;
  publishSnapshot(vaultId: string): Promise<VaultSnapshotView>;
  /** The Vault's node signs and logs the operator's program decision (optional: absent answers `unavailable`). */
  decideProgram?(
    vaultId: string,
    action: 'approve' | 'revoke',
    code_hash: string,
  ): Promise<{ vault_id: string; code_hash: string; action: 'approve' | 'revoke'; seq: number }>;
}

/** What the assurance routes ask of a master. */
export interface AssuranceApi {
  logPage(from: number, limit: number): Promise<LogPage>;
  /** Fails with `not_found` for an epoch that is not finalized (nothing recorded yet). */
  accounting(epochId: number): Promise<AccountingView>;
  /** Fails with `not_found` for an epoch that is not finalized. */
  anchor(epochId: number): Promise<AnchorView>;
}
