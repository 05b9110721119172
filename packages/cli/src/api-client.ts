/**
 * A small typed client for the SCS HTTP API over `fetch`. Every failure becomes an
 * {@link ApiClientError}: error bodies keep their code, status and details; a refused connection
 * says how to start a node.
 */

import { randomBytes } from 'node:crypto';
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
  NetworkView,
  OpenChallengeRequest,
  ParticipationView,
  PayoutBatchView,
  PayoutClaimProofView,
  PayoutList,
  PayoutQuery,
  PromoteCandidatesRequest,
  ProposeCandidateRequest,
  RegisterActorRequest,
  ReopenChallengeRequest,
  RevokeConsentRequest,
  RevokeDelegationRequest,
  RewardList,
  RewardQuery,
  SemanticDomainList,
  SettlementView,
  StakeRequest,
  StakeView,
  SubmitTaskRequest,
  TaskEvents,
  TaskList,
  TaskListQuery,
  TaskResolution,
  TaskResult,
  TaskView,
  UploadResponse,
  VaultCommitmentsView,
  VaultList,
  VaultSnapshotView,
  VaultView,
} from '@symphony/api';
import { type RequestSigner, signRequest } from '@symphony/api';
import type { SemanticDomain, VaultMapping } from '@symphony/protocol';
import { ApiClientError } from './api-client-error.ts';

/** Where a node answers when nothing else is configured. */
export const DEFAULT_API_URL = 'http://127.0.0.1:7070';

/** Options of {@link ApiClient}. */
export type ApiClientOptions = {
  /** The node's base URL, e.g. `http://127.0.0.1:7070` (a trailing slash is ignored). */
  baseUrl?: string;
  /** The fetch implementation (defaults to the global one). */
  fetch?: typeof fetch;
  /** Per-request timeout in milliseconds (default 30 s). */
  timeoutMs?: number;
  /** Signs every request (RFC 9421) as this actor; without one, requests go unsigned. */
  signer?: RequestSigner;
};

/** What `POST /v1/tasks` answered: the task, and whether this call created it (false for an idempotent replay). */
export type SubmitTaskOutcome = { task: TaskView; created: boolean };

type Query = Record<string, string | number | undefined>;

/** Typed calls for every route the CLI uses. */
export class ApiClient {
  /** The base URL without a trailing slash. */
  readonly baseUrl: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #signer: RequestSigner | undefined;

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? DEFAULT_API_URL).replace(/\/+$/, '');
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#signer = options.signer;
  }

  /** `POST /v1/consents` */
  async grantConsents(grants: GrantConsentRequest[]): Promise<ConsentView[]> {
    return (await this.#json<{ consents: ConsentView[] }>('POST', '/v1/consents', { body: { grants } })).consents;
  }

  /** `POST /v1/tasks/{id}/participation`: a subject accepts a participant query through its Vault. */
  acceptParticipation(taskId: string, request: AcceptParticipationRequest): Promise<ParticipationView> {
    return this.#json('POST', `/v1/tasks/${encodeURIComponent(taskId)}/participation`, { body: request });
  }

  /** `POST /v1/consents/revoke` */
  revokeConsent(request: RevokeConsentRequest): Promise<ConsentView> {
    return this.#json('POST', '/v1/consents/revoke', { body: request });
  }

  /** `GET /v1/consents` */
  listConsents(query: ConsentQuery = {}): Promise<ConsentList> {
    return this.#json('GET', '/v1/consents', { query: { ...query } });
  }

  /** `POST /v1/actors` */
  registerActor(request: RegisterActorRequest): Promise<ActorView> {
    return this.#json('POST', '/v1/actors', { body: request });
  }

  /** `POST /v1/vaults/{vaultId}/grants` */
  issueGrant(vaultId: string, request: IssueGrantRequest): Promise<GrantView> {
    return this.#json('POST', `/v1/vaults/${encodeURIComponent(vaultId)}/grants`, { body: request });
  }

  /** `DELETE /v1/vaults/{vaultId}/grants/{grantId}` */
  revokeGrant(vaultId: string, grantId: string): Promise<GrantView> {
    return this.#json('DELETE', `/v1/vaults/${encodeURIComponent(vaultId)}/grants/${encodeURIComponent(grantId)}`);
  }

  /** `GET /v1/vaults/{vaultId}/grants` */
  listGrants(vaultId: string, query: GrantQuery = {}): Promise<GrantList> {
    return this.#json('GET', `/v1/vaults/${encodeURIComponent(vaultId)}/grants`, { query: { ...query } });
  }

  /** `POST /v1/delegations/revoke` */
  revokeDelegation(request: RevokeDelegationRequest): Promise<DelegationRevocationView> {
    return this.#json('POST', '/v1/delegations/revoke', { body: request });
  }

  /** `GET /v1/semantic/domains` */
  semanticDomains(): Promise<SemanticDomainList> {
    return this.#json('GET', '/v1/semantic/domains');
  }

  /** `GET /v1/semantic/domains/:domain/versions/:version` */
  semanticDomain(domain: string, version: string): Promise<SemanticDomain> {
    return this.#json(
      'GET',
      `/v1/semantic/domains/${encodeURIComponent(domain)}/versions/${encodeURIComponent(version)}`,
    );
  }

  /** `POST /v1/vaults/:vaultId/semantic-mapping` */
  declareMapping(vaultId: string, request: DeclareMappingRequest): Promise<VaultMapping> {
    return this.#json('POST', `/v1/vaults/${encodeURIComponent(vaultId)}/semantic-mapping`, { body: request });
  }

  /** `POST /v1/semantic/candidates` */
  proposeCandidate(request: ProposeCandidateRequest): Promise<CandidateView> {
    return this.#json('POST', '/v1/semantic/candidates', { body: request });
  }

  /** `GET /v1/semantic/candidates` */
  listCandidates(epochId?: number): Promise<CandidateList> {
    return this.#json('GET', '/v1/semantic/candidates', { query: { epoch_id: epochId } });
  }

  /** `POST /v1/semantic/promotions` */
  promoteCandidates(request: PromoteCandidatesRequest): Promise<SemanticDomain> {
    return this.#json('POST', '/v1/semantic/promotions', { body: request });
  }

  /** `GET /v1/tasks/:taskId/resolution` */
  taskResolution(taskId: string): Promise<TaskResolution> {
    return this.#json('GET', `/v1/tasks/${encodeURIComponent(taskId)}/resolution`);
  }

  /** `POST /v1/vaults/:vaultId/records` */
  ingestRecords(vaultId: string, request: IngestRecordsRequest): Promise<IngestRecordsResponse> {
    return this.#json('POST', `/v1/vaults/${encodeURIComponent(vaultId)}/records`, { body: request });
  }

  /**
   * Streams a file body to `POST /v1/vaults/:vaultId/uploads` (CSV or NDJSON) or `/documents`
   * (PNG, JPEG, PDF). `contentDigest` is the body's `sha-256=:<base64>:`, computed beforehand so the
   * signature can cover the bytes streamed after it. `onBytes` is called with the bytes sent so far.
   * No timeout: the edge answers once the whole upload has committed.
   */
  async upload(
    path: string,
    contentType: string,
    body: AsyncIterable<Uint8Array>,
    contentDigest: string,
    onBytes: (sent: number) => void = () => {},
  ): Promise<UploadResponse> {
    let sent = 0;
    const iterator = body[Symbol.asyncIterator]();
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await iterator.next();
        if (next.done) {
          controller.close();
          return;
        }
        sent += next.value.length;
        onBytes(sent);
        controller.enqueue(next.value);
      },
    });
    let response: Response;
    try {
      response = await this.#fetch(this.baseUrl + path, {
        method: 'POST',
        headers: {
          accept: 'application/json',
          'content-type': contentType,
          'content-digest': contentDigest,
          ...this.#signatureHeaders('POST', path, { contentDigest }),
        },
        body: stream,
        duplex: 'half',
      } as RequestInit);
    } catch (error) {
      throw this.#transportError(error);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (response.ok && parsed !== undefined) return parsed as UploadResponse;
    if (isErrorBody(parsed)) throw new ApiClientError(parsed.code, parsed.message, response.status, parsed.details);
    throw new ApiClientError('bad_response', `POST ${path} answered ${response.status}`, response.status);
  }

  /** `GET /v1/vaults` */
  listVaults(): Promise<VaultList> {
    return this.#json('GET', '/v1/vaults');
  }

  /** `GET /v1/vaults/:vaultId` */
  getVault(vaultId: string): Promise<VaultView> {
    return this.#json('GET', `/v1/vaults/${encodeURIComponent(vaultId)}`);
  }

  /** `GET /v1/vaults/:vaultId/commitments` */
  vaultCommitments(vaultId: string): Promise<VaultCommitmentsView> {
    return this.#json('GET', `/v1/vaults/${encodeURIComponent(vaultId)}/commitments`);
  }

  /** `POST /v1/vaults/:vaultId/snapshots` */
  publishVaultSnapshot(vaultId: string): Promise<VaultSnapshotView> {
    return this.#json('POST', `/v1/vaults/${encodeURIComponent(vaultId)}/snapshots`);
  }

  /** `POST /v1/tasks`, with an `Idempotency-Key` header when a key is given. */
  async submitTask(request: SubmitTaskRequest, options: { idempotencyKey?: string } = {}): Promise<SubmitTaskOutcome> {
    const headers: Record<string, string> = {};
    if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
    const { status, body } = await this.#request('POST', '/v1/tasks', { body: request, headers });
    // The task may come bare or wrapped as { task, created }; 201 means created, 200 an idempotent replay.
    if (isObject(body) && isObject(body.task)) {
      return {
        task: body.task as TaskView,
        created: typeof body.created === 'boolean' ? body.created : status === 201,
      };
    }
    return { task: body as TaskView, created: status === 201 };
  }

  /** `GET /v1/tasks/:id` */
  getTask(taskId: string): Promise<TaskView> {
    return this.#json('GET', `/v1/tasks/${encodeURIComponent(taskId)}`);
  }

  /** `GET /v1/tasks?state&class&limit&cursor` */
  listTasks(query: TaskListQuery = {}): Promise<TaskList> {
    return this.#json('GET', '/v1/tasks', {
      query: { state: query.state, class: query.class, limit: query.limit, cursor: query.cursor },
    });
  }

  /** `GET /v1/tasks/:id/events` */
  taskEvents(taskId: string): Promise<TaskEvents> {
    return this.#json('GET', `/v1/tasks/${encodeURIComponent(taskId)}/events`);
  }

  /** `GET /v1/tasks/:id/result` (fails with `result_not_ready` before verification accepted it). */
  taskResult(taskId: string): Promise<TaskResult> {
    return this.#json('GET', `/v1/tasks/${encodeURIComponent(taskId)}/result`);
  }

  /** `GET /v1/epochs` */
  listEpochs(): Promise<EpochList> {
    return this.#json('GET', '/v1/epochs');
  }

  /** `POST /v1/epochs/current/close` */
  closeEpoch(): Promise<CloseEpochResponse> {
    return this.#json('POST', '/v1/epochs/current/close');
  }

  /** `GET /v1/epochs/:id/settlement` */
  settlement(epochId: number): Promise<SettlementView> {
    return this.#json('GET', `/v1/epochs/${epochId}/settlement`);
  }

  /** `POST /v1/epochs/:id/settlement/retry` (governance recovery of a failed settlement) */
  retrySettlement(epochId: number): Promise<SettlementView> {
    return this.#json('POST', `/v1/epochs/${epochId}/settlement/retry`);
  }

  /** `GET /v1/rewards?epochId&actor` */
  rewards(query: RewardQuery = {}): Promise<RewardList> {
    return this.#json('GET', '/v1/rewards', { query: { epochId: query.epochId, actor: query.actor } });
  }

  /** `POST /v1/challenges` */
  openChallenge(request: OpenChallengeRequest): Promise<ChallengeDetail> {
    return this.#json('POST', '/v1/challenges', { body: request });
  }

  /** `GET /v1/challenges?state&task_id&epoch_id` */
  listChallenges(query: ChallengeListQuery = {}): Promise<ChallengeList> {
    return this.#json('GET', '/v1/challenges', { query: { ...query } });
  }

  /** `GET /v1/challenges/:id` */
  challenge(challengeId: string): Promise<ChallengeDetail> {
    return this.#json('GET', `/v1/challenges/${encodeURIComponent(challengeId)}`);
  }

  /** `POST /v1/challenges/:id/evidence` */
  reopenChallenge(challengeId: string, request: ReopenChallengeRequest): Promise<ChallengeDetail> {
    return this.#json('POST', `/v1/challenges/${encodeURIComponent(challengeId)}/evidence`, { body: request });
  }

  /** `GET /v1/challenges/:id/replay` */
  challengeReplay(challengeId: string): Promise<ChallengeReplayBundle> {
    return this.#json('GET', `/v1/challenges/${encodeURIComponent(challengeId)}/replay`);
  }

  /** `GET /v1/stakes/:actorId` */
  stake(actorId: string): Promise<StakeView> {
    return this.#json('GET', `/v1/stakes/${encodeURIComponent(actorId)}`);
  }

  /** `POST /v1/stakes/deposit` */
  depositStake(request: StakeRequest): Promise<StakeView> {
    return this.#json('POST', '/v1/stakes/deposit', { body: request });
  }

  /** `POST /v1/stakes/unbond` */
  unbondStake(request: StakeRequest): Promise<StakeView> {
    return this.#json('POST', '/v1/stakes/unbond', { body: request });
  }

  /** `POST /v1/stakes/withdraw` */
  withdrawStake(actorId: string): Promise<StakeView> {
    return this.#json('POST', '/v1/stakes/withdraw', { body: { actor_id: actorId } });
  }

  /** `GET /v1/payouts?epochId&actor` */
  payouts(query: PayoutQuery = {}): Promise<PayoutList> {
    return this.#json('GET', '/v1/payouts', { query: { epochId: query.epochId, actor: query.actor } });
  }

  /** `GET /v1/payouts/batches/:batchId` */
  payoutBatch(batchId: string): Promise<PayoutBatchView> {
    return this.#json('GET', `/v1/payouts/batches/${encodeURIComponent(batchId)}`);
  }

  /** `GET /v1/payouts/batches/:batchId/claims/:actorId` */
  payoutClaim(batchId: string, actorId: string): Promise<PayoutClaimProofView> {
    return this.#json(
      'GET',
      `/v1/payouts/batches/${encodeURIComponent(batchId)}/claims/${encodeURIComponent(actorId)}`,
    );
  }

  /** `GET /v1/log?from&limit`: a page of the protocol log with the node's checkpoints. */
  logPage(from: number, limit: number): Promise<LogPage> {
    return this.#json('GET', '/v1/log', { query: { from, limit } });
  }

  /** `GET /v1/epochs/:id/accounting` */
  epochAccounting(epochId: number): Promise<AccountingView> {
    return this.#json('GET', `/v1/epochs/${epochId}/accounting`);
  }

  /** `GET /v1/epochs/:id/anchor` */
  epochAnchor(epochId: number): Promise<AnchorView> {
    return this.#json('GET', `/v1/epochs/${epochId}/anchor`);
  }

  /** `GET /v1/network` */
  network(): Promise<NetworkView> {
    return this.#json('GET', '/v1/network');
  }

  /** `GET /healthz` (a degraded node answers 503 with the same body, which is returned, not thrown). */
  async health(): Promise<Health> {
    const { body } = await this.#request('GET', '/healthz', { acceptStatus: [503] });
    return body as Health;
  }

  /** RFC 9421 headers for a request (none without a signer): a fresh `created` and nonce each time. */
  #signatureHeaders(
    method: string,
    target: string,
    content: { body?: string; contentDigest?: string },
  ): Record<string, string> {
    if (!this.#signer) return {};
    const basePath = new URL(this.baseUrl).pathname.replace(/\/+$/, '');
    return signRequest(
      this.#signer,
      { method, target: basePath + target, ...content },
      Math.floor(Date.now() / 1000),
      randomBytes(16).toString('hex'),
    );
  }

  async #json<T>(method: string, path: string, options: { body?: unknown; query?: Query } = {}): Promise<T> {
    return (await this.#request(method, path, options)).body as T;
  }

  async #request(
    method: string,
    path: string,
    options: { body?: unknown; query?: Query; headers?: Record<string, string>; acceptStatus?: number[] },
  ): Promise<{ status: number; body: unknown }> {
    const target = path + queryString(options.query);
    const url = this.baseUrl + target;
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    const init: RequestInit = { method, headers, signal: AbortSignal.timeout(this.#timeoutMs) };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
      init.body = body;
    }
    Object.assign(headers, this.#signatureHeaders(method, target, body !== undefined ? { body } : {}));
    let response: Response;
    try {
      response = await this.#fetch(url, init);
    } catch (error) {
      throw this.#transportError(error);
    }
    const text = await response.text();
    let answer: unknown;
    try {
      answer = text === '' ? undefined : JSON.parse(text);
    } catch {
      answer = undefined;
    }
    if (response.ok || options.acceptStatus?.includes(response.status)) {
      if (answer === undefined) {
        throw new ApiClientError(
          'bad_response',
          `${method} ${path} answered ${response.status} without a JSON body`,
          response.status,
        );
      }
      return { status: response.status, body: answer };
    }
    if (isErrorBody(answer)) {
      throw new ApiClientError(answer.code, answer.message, response.status, answer.details);
    }
    const excerpt = text.trim().slice(0, 200);
    throw new ApiClientError(
      'bad_response',
      `${method} ${path} answered ${response.status} ${response.statusText}${excerpt ? `: ${excerpt}` : ''}`,
      response.status,
    );
  }

  #transportError(error: unknown): ApiClientError {
    const name = error instanceof Error ? error.name : '';
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new ApiClientError(
        'timeout',
        `the Symphony node at ${this.baseUrl} did not answer within ${this.#timeoutMs} ms`,
        0,
        undefined,
        { cause: error },
      );
    }
    const code = errorCode(error);
    if (code === 'ECONNREFUSED') {
      return new ApiClientError(
        'connection_refused',
        `no Symphony node answers at ${this.baseUrl}: start one with \`symphony up\``,
        0,
        undefined,
        { cause: error },
      );
    }
    const reason = code ?? (error instanceof Error ? error.message : String(error));
    return new ApiClientError(
      'unreachable',
      `cannot reach a Symphony node at ${this.baseUrl} (${reason}): check --api, or start one with \`symphony up\``,
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

/** The system error code (`ECONNREFUSED`, ...) of a fetch failure, searching its causes (also aggregated ones). */
function errorCode(error: unknown, depth = 0): string | undefined {
  if (!isObject(error) || depth > 5) return undefined;
  if (typeof error.code === 'string' && /^E[A-Z]+$/.test(error.code)) return error.code;
  if (Array.isArray(error.errors)) {
    for (const inner of error.errors) {
      const code = errorCode(inner, depth + 1);
      if (code) return code;
    }
  }
  return errorCode(error.cause, depth + 1);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  return (
    isObject(value) &&
    typeof value.code === 'string' &&
    typeof value.message === 'string' &&
    (value.details === undefined || isObject(value.details))
  );
}
