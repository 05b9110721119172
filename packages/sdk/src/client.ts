/**
 * The typed client of the SCS HTTP API. Every request is signed (RFC 9421, `@symphony/api`'s
 * scheme) when a signer is given; 429 and 503 answers are retried with backoff, honouring
 * `Retry-After`; `submitTask` sends an `Idempotency-Key` (generated unless given) and reuses it on
 * every retry, so a retried submission never admits a task twice. Uses only `fetch` and Web Crypto:
 * it runs in Node and in a browser.
 */
import type {
  AcceptParticipationRequest,
  AccountingView,
  ActorView,
  AnchorView,
  ApiErrorBody,
  CandidateList,
  CandidateView,
  ChallengeDetail,
  ChallengeList,
  ChallengeListQuery,
  ChallengeReplayBundle,
  ChallengeView,
  CloseEpochResponse,
  ConsentList,
  ConsentQuery,
  ConsentView,
  DeclareMappingRequest,
  DelegationRevocationView,
  EpochList,
  GrantConsentRequest,
  GrantList,
  GrantQuery,
  GrantView,
  Health,
  IngestRecordsRequest,
  IngestRecordsResponse,
  IssueGrantRequest,
  LogPage,
  LogQuery,
  NetworkView,
  OpenChallengeRequest,
  ParticipationView,
  PayoutBatchView,
  PayoutClaimProofView,
  PayoutExecutionRequest,
  PayoutList,
  PayoutQuery,
  ProgramDecisionRequest,
  ProgramDecisionView,
  PromoteCandidatesRequest,
  ProposeCandidateRequest,
  RegisterActorRequest,
  ReopenChallengeRequest,
  RequestSigner,
  RevokeConsentRequest,
  RevokeDelegationRequest,
  RewardList,
  RewardQuery,
  SemanticDomainList,
  SettlementProof,
  SettlementView,
  StakeRequest,
  StakeView,
  StakeWithdrawRequest,
  SubmitTaskRequest,
  TaskEvents,
  TaskList,
  TaskListQuery,
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
import { signRequest } from '@symphony/api';
import type { SemanticDomain, VaultMapping } from '@symphony/protocol';
import { SymphonyApiError } from './errors.ts';
import { backoffMs, DEFAULT_RETRY_POLICY, RETRYABLE_STATUSES, type RetryPolicy, retryAfterMs } from './retry-policy.ts';
import { type OperationId, ROUTES, routePath } from './routes.ts';

/** A request as it is signed: method, path plus query, and the exact body bytes sent. */
export type OutgoingRequest = { method: string; target: string; body?: string | Uint8Array };

/** Produces the signature headers of one request (called again, with a fresh nonce, on every retry). */
export type RequestAuthenticator = (
  request: OutgoingRequest,
) => Record<string, string> | Promise<Record<string, string>>;

/** Options of {@link SymphonyClient}. */
export type SymphonyClientOptions = {
  /** The node's base URL, e.g. `http://127.0.0.1:7070`. */
  baseUrl: string;
  /** Signs every request as this actor (see `signerFromKeyFile` in `@symphony/sdk/node`). */
  signer?: RequestSigner;
  /** Instead of `signer`: any function that returns the signature headers (a browser's WebCrypto key). */
  authenticate?: RequestAuthenticator;
  fetch?: typeof fetch;
  /** Per-attempt timeout in milliseconds (default 30 s). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** How the client waits between attempts (tests replace it). */
  sleep?: (ms: number) => Promise<void>;
};

/** What `submitTask` answered: the task, whether this call created it, and the Idempotency-Key used. */
export type SubmitTaskOutcome = { task: TaskView; created: boolean; idempotencyKey: string };

type Query = Record<string, string | number | undefined>;
type CallOptions = {
  params?: Record<string, string | number>;
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  acceptStatus?: readonly number[];
};

/** Hex of `n` random bytes (Web Crypto). */
export function randomHex(n: number): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(n));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A fresh Idempotency-Key. */
export const newIdempotencyKey = (): string => `sdk-${randomHex(16)}`;

/** The typed client: one method per route, named after the route's operationId. */
export class SymphonyClient {
  readonly baseUrl: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #authenticate: RequestAuthenticator | undefined;
  readonly #sleep: (ms: number) => Promise<void>;
  /** The actor requests are signed as, when signing with a {@link RequestSigner}. */
  readonly actorId: string | undefined;

  constructor(options: SymphonyClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    const signer = options.signer;
    this.actorId = signer?.keyid;
    this.#authenticate =
      options.authenticate ??
      (signer
        ? (request) =>
            signRequest(
              signer,
              {
                method: request.method,
                target: request.target,
                ...(request.body !== undefined ? { body: request.body } : {}),
              },
              Math.floor(Date.now() / 1000),
              randomHex(16),
            )
        : undefined);
  }

  // consent
  async grantConsents(grants: GrantConsentRequest[]): Promise<ConsentView[]> {
    return (await this.call<{ consents: ConsentView[] }>('grantConsents', { body: { grants } })).consents;
  }
  revokeConsent(request: RevokeConsentRequest): Promise<ConsentView> {
    return this.call('revokeConsent', { body: request });
  }
  listConsents(query: ConsentQuery = {}): Promise<ConsentList> {
    return this.call('listConsents', { query: { ...query } });
  }

  // semantic layer
  listSemanticDomains(): Promise<SemanticDomainList> {
    return this.call('listSemanticDomains');
  }
  getSemanticDomain(domain: string, version: string): Promise<SemanticDomain> {
    return this.call('getSemanticDomain', { params: { domain, version } });
  }
  declareVaultMapping(vaultId: string, request: DeclareMappingRequest): Promise<VaultMapping> {
    return this.call('declareVaultMapping', { params: { vaultId }, body: request });
  }
  proposeCandidate(request: ProposeCandidateRequest): Promise<CandidateView> {
    return this.call('proposeCandidate', { body: request });
  }
  listCandidates(epochId?: number): Promise<CandidateList> {
    return this.call('listCandidates', { query: { epoch_id: epochId } });
  }
  promoteCandidates(request: PromoteCandidatesRequest): Promise<SemanticDomain> {
    return this.call('promoteCandidates', { body: request });
  }
  getTaskResolution(taskId: string): Promise<TaskResolution> {
    return this.call('getTaskResolution', { params: { taskId } });
  }

  // data plane
  ingestRecords(vaultId: string, request: IngestRecordsRequest): Promise<IngestRecordsResponse> {
    return this.call('ingestRecords', { params: { vaultId }, body: request });
  }
  /** Uploads a CSV or NDJSON file (`text/csv`, `application/x-ndjson`) whole. */
  uploadRecords(vaultId: string, contentType: string, body: string | Uint8Array): Promise<UploadResponse> {
    return this.call('uploadRecords', { params: { vaultId }, body, headers: { 'content-type': contentType } });
  }
  /** Uploads documents (`image/png`, `image/jpeg`, `application/pdf`) for Parse tasks. */
  uploadDocument(vaultId: string, contentType: string, body: Uint8Array): Promise<UploadResponse> {
    return this.call('uploadDocument', { params: { vaultId }, body, headers: { 'content-type': contentType } });
  }
  listVaults(): Promise<VaultList> {
    return this.call('listVaults');
  }
  getVault(vaultId: string): Promise<VaultView> {
    return this.call('getVault', { params: { vaultId } });
  }
  getVaultCommitments(vaultId: string): Promise<VaultCommitmentsView> {
    return this.call('getVaultCommitments', { params: { vaultId } });
  }
  publishVaultSnapshot(vaultId: string): Promise<VaultSnapshotView> {
    return this.call('publishVaultSnapshot', { params: { vaultId } });
  }

  // tasks
  /**
   * `POST /v1/tasks` with an Idempotency-Key (a fresh one unless given), reused on every retry: a
   * submission retried after a lost answer returns the task the first attempt created.
   */
  async submitTask(request: SubmitTaskRequest, options: { idempotencyKey?: string } = {}): Promise<SubmitTaskOutcome> {
    const idempotencyKey = options.idempotencyKey ?? newIdempotencyKey();
    const { status, body } = await this.send('submitTask', {
      body: request,
      headers: { 'idempotency-key': idempotencyKey },
    });
    return { task: body as TaskView, created: status === 201, idempotencyKey };
  }
  listTasks(query: TaskListQuery = {}): Promise<TaskList> {
    return this.call('listTasks', {
      query: { state: query.state, class: query.class, limit: query.limit, cursor: query.cursor },
    });
  }
  getTask(taskId: string): Promise<TaskView> {
    return this.call('getTask', { params: { taskId } });
  }
  getTaskEvents(taskId: string): Promise<TaskEvents> {
    return this.call('getTaskEvents', { params: { taskId } });
  }
  /** Every round of a Train task so far with its released held-out metric; `not_found` for another class. */
  getTaskRounds(taskId: string): Promise<TaskRounds> {
    return this.call('getTaskRounds', { params: { taskId } });
  }
  /** The released result; fails with `result_not_ready` until verification accepted it. */
  getTaskResult(taskId: string): Promise<TaskResult> {
    return this.call('getTaskResult', { params: { taskId } });
  }

  // epochs, settlement, rewards
  listEpochs(): Promise<EpochList> {
    return this.call('listEpochs');
  }
  closeCurrentEpoch(): Promise<CloseEpochResponse> {
    return this.call('closeCurrentEpoch');
  }
  getSettlement(epochId: number): Promise<SettlementView> {
    return this.call('getSettlement', { params: { epochId } });
  }
  /** Governance: retry a `failed` settlement (a new candidate attempt, signed again by the masters). */
  retrySettlement(epochId: number): Promise<SettlementView> {
    return this.call('retrySettlement', { params: { epochId } });
  }
  /** The inclusion proof of one settlement entry (a task id) in its epoch's settlement tree. */
  getSettlementProof(epochId: number, entryId: string): Promise<SettlementProof> {
    return this.call('getSettlementProof', { params: { epochId, entryId } });
  }
  /** The finalized accounting an epoch's masters recorded (fees, rewards, refunds, payouts). */
  getEpochAccounting(epochId: number): Promise<AccountingView> {
    return this.call('getEpochAccounting', { params: { epochId } });
  }
  /** Where and how an epoch's finalized roots are anchored. */
  getEpochAnchor(epochId: number): Promise<AnchorView> {
    return this.call('getEpochAnchor', { params: { epochId } });
  }
  /** A page of the protocol log, hash-chained entries as stored. */
  readLog(query: LogQuery = {}): Promise<LogPage> {
    return this.call('readLog', { query: { from: query.from, limit: query.limit } });
  }
  listRewards(query: RewardQuery = {}): Promise<RewardList> {
    return this.call('listRewards', { query: { epochId: query.epochId, actor: query.actor } });
  }

  // operations
  getNetwork(): Promise<NetworkView> {
    return this.call('getNetwork');
  }
  /** `GET /healthz`; a degraded node answers 503 with the same body, returned here, not thrown. */
  async getHealth(): Promise<Health> {
    return (await this.send('getHealth', { acceptStatus: [503] })).body as Health;
  }

  // participation, challenges, programs
  acceptParticipation(taskId: string, request: AcceptParticipationRequest): Promise<ParticipationView> {
    return this.call('acceptParticipation', { params: { taskId }, body: request });
  }
  listChallenges(query: ChallengeListQuery = {}): Promise<ChallengeList> {
    return this.call('listChallenges', { query: { ...(query as Query) } });
  }
  openChallenge(request: OpenChallengeRequest): Promise<ChallengeDetail> {
    return this.call('openChallenge', { body: request });
  }
  getChallenge(challengeId: string): Promise<ChallengeDetail> {
    return this.call('getChallenge', { params: { challengeId } });
  }
  getChallengeReplay(challengeId: string): Promise<ChallengeReplayBundle> {
    return this.call('getChallengeReplay', { params: { challengeId } });
  }
  reopenChallenge(challengeId: string, request: ReopenChallengeRequest): Promise<ChallengeDetail> {
    return this.call('reopenChallenge', { params: { challengeId }, body: request });
  }
  approveChallenge(challengeId: string): Promise<ChallengeView> {
    return this.call('approveChallenge', { params: { challengeId } });
  }
  decideProgram(vaultId: string, request: ProgramDecisionRequest): Promise<ProgramDecisionView> {
    return this.call('decideProgram', { params: { vaultId }, body: request });
  }

  // stakes and payouts
  depositStake(request: StakeRequest): Promise<StakeView> {
    return this.call('depositStake', { body: request });
  }
  unbondStake(request: StakeRequest): Promise<StakeView> {
    return this.call('unbondStake', { body: request });
  }
  withdrawStake(request: StakeWithdrawRequest): Promise<StakeView> {
    return this.call('withdrawStake', { body: request });
  }
  getStake(actorId: string): Promise<StakeView> {
    return this.call('getStake', { params: { actorId } });
  }
  listPayouts(query: PayoutQuery = {}): Promise<PayoutList> {
    return this.call('listPayouts', { query: { ...(query as Query) } });
  }
  getPayoutBatch(batchId: string): Promise<PayoutBatchView> {
    return this.call('getPayoutBatch', { params: { batchId } });
  }
  /** A claimant's payout claim with its inclusion proof in the batch's claims tree (verify with `verifyPayoutClaim`). */
  getPayoutClaim(batchId: string, actorId: string): Promise<PayoutClaimProofView> {
    return this.call('getPayoutClaim', { params: { batchId, actorId } });
  }
  executePayoutBatch(batchId: string, request: PayoutExecutionRequest): Promise<PayoutBatchView> {
    return this.call('executePayoutBatch', { params: { batchId }, body: request });
  }

  // identity
  registerActor(request: RegisterActorRequest): Promise<ActorView> {
    return this.call('registerActor', { body: request });
  }
  issueGrant(vaultId: string, request: IssueGrantRequest): Promise<GrantView> {
    return this.call('issueGrant', { params: { vaultId }, body: request });
  }
  listGrants(vaultId: string, query: GrantQuery = {}): Promise<GrantList> {
    return this.call('listGrants', { params: { vaultId }, query: { ...(query as Query) } });
  }
  revokeGrant(vaultId: string, grantId: string): Promise<GrantView> {
    return this.call('revokeGrant', { params: { vaultId, grantId } });
  }
  revokeDelegation(request: RevokeDelegationRequest): Promise<DelegationRevocationView> {
    return this.call('revokeDelegation', { body: request });
  }

  /** Calls a route by operationId and returns its JSON answer. */
  async call<T>(operation: OperationId, options: CallOptions = {}): Promise<T> {
    return (await this.send(operation, options)).body as T;
  }

  /** Calls a route, retrying 429/503 and transport failures, and returns the status and the parsed body. */
  async send(operation: OperationId, options: CallOptions = {}): Promise<{ status: number; body: unknown }> {
    const method = ROUTES[operation].method;
    const target = routePath(operation, options.params) + queryString(options.query);
    const body =
      options.body === undefined
        ? undefined
        : typeof options.body === 'string' || options.body instanceof Uint8Array
          ? options.body
          : JSON.stringify(options.body);
    // A request may be sent again when the server did not act on it: 429/503 always; a lost
    // connection only for reads and for a submission carrying its Idempotency-Key.
    const replaySafe = method === 'GET' || options.headers?.['idempotency-key'] !== undefined;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await this.#attempt(method, target, body, options.headers);
      } catch (error) {
        const failure = this.#transportError(error);
        if (!replaySafe || attempt >= this.#retry.attempts) throw failure;
        await this.#sleep(backoffMs(this.#retry, attempt, undefined, Math.random()));
        continue;
      }
      if (
        RETRYABLE_STATUSES.has(response.status) &&
        attempt < this.#retry.attempts &&
        !options.acceptStatus?.includes(response.status)
      ) {
        const wait = backoffMs(
          this.#retry,
          attempt,
          retryAfterMs(response.headers.get('retry-after'), Date.now()),
          Math.random(),
        );
        await response.body?.cancel();
        await this.#sleep(wait);
        continue;
      }
      return this.#read(method, target, response, options.acceptStatus);
    }
  }

  async #attempt(
    method: string,
    target: string,
    body: string | Uint8Array | undefined,
    extra: Record<string, string> | undefined,
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    Object.assign(headers, extra);
    if (this.#authenticate && target.startsWith('/v1/')) {
      const basePath = new URL(this.baseUrl).pathname.replace(/\/+$/, '');
      const signed = await this.#authenticate({
        method,
        target: basePath + target,
        ...(body !== undefined ? { body } : {}),
      });
      Object.assign(headers, signed);
    }
    const init: RequestInit = { method, headers, signal: AbortSignal.timeout(this.#timeoutMs) };
    if (body !== undefined) init.body = body as NonNullable<RequestInit['body']>;
    return this.#fetch(this.baseUrl + target, init);
  }

  async #read(
    method: string,
    target: string,
    response: Response,
    acceptStatus: readonly number[] | undefined,
  ): Promise<{ status: number; body: unknown }> {
    const text = await response.text();
    const json = (response.headers.get('content-type') ?? '').includes('json');
    let answer: unknown = text;
    if (json) {
      try {
        answer = text === '' ? undefined : JSON.parse(text);
      } catch {
        answer = undefined;
      }
    }
    if (response.ok || acceptStatus?.includes(response.status)) {
      if (answer === undefined)
        throw new SymphonyApiError(
          'bad_response',
          `${method} ${target} answered ${response.status} without a body`,
          response.status,
        );
      return { status: response.status, body: answer };
    }
    if (isErrorBody(answer)) throw new SymphonyApiError(answer.code, answer.message, response.status, answer.details);
    throw new SymphonyApiError(
      'bad_response',
      `${method} ${target} answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
      response.status,
    );
  }

  #transportError(error: unknown): SymphonyApiError {
    if (error instanceof SymphonyApiError) return error;
    const name = error instanceof Error ? error.name : '';
    if (name === 'TimeoutError' || name === 'AbortError')
      return new SymphonyApiError(
        'timeout',
        `${this.baseUrl} did not answer within ${this.#timeoutMs} ms`,
        0,
        undefined,
        {
          cause: error,
        },
      );
    return new SymphonyApiError(
      'unreachable',
      `cannot reach a Symphony node at ${this.baseUrl}: start one with \`symphony up\``,
      0,
      undefined,
      { cause: error },
    );
  }
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ApiErrorBody).code === 'string' &&
    typeof (value as ApiErrorBody).message === 'string'
  );
}
