/**
 * The master's answers to the API edge: admission through the log writer, reads from the folded
 * state, record ingestion routed to the enterprise node hosting the Vault.
 */

import type {
  CloseEpochResponse,
  EpochList,
  Health,
  IngestRecordsRequest,
  IngestRecordsResponse,
  NetworkView,
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
} from '@symphony/api';
import { authorizeTask, envelopeHash, identityEnforced, policyInForce } from '@symphony/protocol';
import type { AdmissionPriority } from '../coordination/admission-priority.ts';
import type { LifecycleController } from '../coordination/lifecycle-controller.ts';
import type { LogWriter } from '../coordination/log-writer.ts';
import type { StateFollower } from '../coordination/state-follower.ts';
import { TaskRecords } from '../coordination/task-records.ts';
import type { Bus } from '../ports/bus.ts';
import type { Clock } from '../ports/clock.ts';
import { hasErrorCode } from '../ports/errors.ts';
import { settlementFailureFigures } from '../settlement/settlement-alerts.ts';
import { enterpriseSubjects, type IngestReply } from '../wire/enterprise-rpc.ts';
import type { ConsentApi, IdentityApi, SemanticApi } from './admission-api.ts';
import { bindAdmission } from './admission-checks.ts';
import { checkCaller, DEFAULT_OPEN_TASK_QUOTA, failureOf, grantIdsFor } from './admission-gate.ts';
import { buildEnvelope, requestHash, taskIdFor } from './admit-task.ts';
import type { ActorDirectory, Caller } from './caller.ts';
import type { ChallengeApi } from './challenge-api.ts';
import { ConsentService } from './consent-service.ts';
import { EconomicsService } from './economics-service.ts';
import { IdentityService } from './identity-service.ts';
import { ApiFailure, type AssuranceApi, type MasterApi } from './master-api.ts';
import type { MasterTables } from './master-tables.ts';
import { ParticipationService } from './participation-service.ts';
import { type GovernanceSigner, SemanticService } from './semantic-service.ts';
import { SettlementProofs } from './settlement-proofs.ts';
import { trainRoundsOf } from './train-progress-view.ts';
import { VaultEdge } from './vault-uploads.ts';
import { epochView, rewardTotal, settlementView, taskView } from './views.ts';

export type MasterServiceOptions = {
  nodeId: string;
  follower: StateFollower;
  writer: LogWriter;
  bus: Bus;
  tables: MasterTables;
  clock: Clock;
  controller?: LifecycleController;
  /** Log positions of the other masters, for the network view (embedded mode knows them). */
  peers?: () => { node_id: string; log_position: number }[];
  requestTimeoutMs?: number;
  /** Signs governance actions (semantic promotions) with this master's key. */
  governance?: GovernanceSigner;
  /** Marks admissions as running, so lifecycle steps give way to them. */
  priority?: AdmissionPriority;
  /** Open (not yet terminal) tasks one submitter may have (default 1000). */
  openTaskQuota?: number;
  /**
   * Tasks in the pipeline (accepted to verifying, as the controller counts them) past which a new
   * admission is answered 503 `unavailable` with `Retry-After`, instead of queueing without bound
   * (default `DEFAULT_PIPELINE_BACKLOG`). Only a coordinating master (with a controller) applies it.
   */
  pipelineBacklog?: number;
  /** Challenge ingress and views. */
  challenges?: ChallengeApi;
};

/** Tasks the pipeline may hold before admission answers 503 (see `pipelineBacklog`). */
export const DEFAULT_PIPELINE_BACKLOG = 256;

/**
 * The embedded network's backlog when a worker thread runs its enterprise nodes. Two threads drain
 * a backlog of 256 within the second that 503'd clients wait (`Retry-After: 1`, the header's
 * smallest value), and then both idle until the clients come back; a deeper backlog keeps them fed
 * and batches more entries per group commit (bench/RESULTS.md section 38).
 */
export const PIPELINE_THREAD_BACKLOG = 1024;

const TERMINAL_OR_SETTLED = new Set(['awaiting_settlement', 'completed', 'challenged']);

export class MasterService implements MasterApi {
  readonly #o: MasterServiceOptions;
  readonly consent: ConsentApi;
  readonly semantic: SemanticApi;
  readonly identity: IdentityApi;
  readonly #records: TaskRecords;
  readonly #proofs = new SettlementProofs();
  /** Vault uploads and operations, routed to the enterprise nodes hosting the Vaults. */
  readonly vaults: VaultEdge;
  readonly challenges?: ChallengeApi;
  readonly participation: ParticipationService;
  /** Staking and payouts. */
  readonly economics: EconomicsService;
  /** Set by the master role once its anchor and accounting book are open. */
  assurance?: AssuranceApi;

  constructor(opts: MasterServiceOptions) {
    this.#o = opts;
    if (opts.challenges) this.challenges = opts.challenges;
    this.#records = new TaskRecords(opts.follower);
    const common = {
      follower: opts.follower,
      writer: opts.writer,
      bus: opts.bus,
      timeoutMs: opts.requestTimeoutMs ?? 60_000,
    };
    this.consent = new ConsentService(common);
    this.participation = new ParticipationService(common);
    this.identity = new IdentityService({ follower: opts.follower, writer: opts.writer });
    this.semantic = new SemanticService({ ...common, ...(opts.governance ? { governance: opts.governance } : {}) });
    this.economics = new EconomicsService({ follower: opts.follower, writer: opts.writer });
    this.vaults = new VaultEdge({
      follower: opts.follower,
      writer: opts.writer,
      bus: opts.bus,
      ...(opts.requestTimeoutMs ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
    });
  }

  get #state() {
    return this.#o.follower.state;
  }

  network(): NetworkView {
    const s = this.#state;
    const peers = new Map((this.#o.peers?.() ?? []).map((p) => [p.node_id, p.log_position]));
    const head = s.head?.seq ?? -1;
    return {
      network_id: s.network_id,
      log_head: head,
      current_epoch: s.current_epoch,
      masters: Object.entries(s.masters).map(([node_id, m]) => ({
        node_id,
        public_key: m.public_key,
        log_position: node_id === this.#o.nodeId ? head : (peers.get(node_id) ?? -1),
      })),
      enterprise_nodes: Object.entries(s.enterprise_nodes).map(([node_id, n]) => ({
        node_id,
        public_key: n.public_key,
        vault_ids: Object.entries(s.vaults)
          .filter(([, v]) => v.node_id === node_id)
          .map(([id]) => id)
          .sort(),
        ...(n.enclaves
          ? {
              enclaves: n.enclaves.map((e) => ({
                provider: e.provider,
                measurement: e.measurement,
                simulated: e.provider === 'simulated',
              })),
            }
          : {}),
      })),
      semantic_domains: Object.keys(s.semantic_domains).sort(),
      policy_version: policyInForce(s, s.current_epoch)?.policy_version ?? 0,
    };
  }

  async health(): Promise<Health> {
    const checks: Health['checks'] = { log: this.#o.follower.failure ? 'failing' : 'ok' };
    for (const node_id of Object.keys(this.#state.enterprise_nodes)) {
      try {
        await this.#o.bus.request(enterpriseSubjects(node_id).status, {}, { timeoutMs: 2000 });
        checks[node_id] = 'ok';
      } catch {
        checks[node_id] = 'failing';
      }
    }
    const ok = Object.values(checks).every((c) => c === 'ok');
    return { status: ok ? 'ok' : 'degraded', log_head: this.#state.head?.seq ?? -1, checks };
  }

  async ingest(vaultId: string, request: IngestRecordsRequest): Promise<IngestRecordsResponse> {
    const vault = this.#state.vaults[vaultId];
    if (!vault)
      throw new ApiFailure('unknown_vault', `vault ${vaultId} is not registered on this network`, {
        vault_id: vaultId,
      });
    try {
      return (await this.#o.bus.request(
        enterpriseSubjects(vault.node_id).ingest,
        { vault_id: vaultId, records: request.records },
        {
          timeoutMs: this.#o.requestTimeoutMs ?? 60_000,
        },
      )) as IngestReply;
    } catch (error) {
      if (hasErrorCode(error) && error.code === 'invalid_records')
        throw new ApiFailure('invalid_records', error.message);
      if (hasErrorCode(error) && error.code === 'unknown_vault') throw new ApiFailure('unknown_vault', error.message);
      if (hasErrorCode(error) && error.code === 'quota_exceeded') throw new ApiFailure('quota_exceeded', error.message);
      if (hasErrorCode(error) && error.code === 'record_too_large')
        throw new ApiFailure('body_too_large', error.message);
      throw new ApiFailure('unavailable', `the enterprise node hosting ${vaultId} did not answer`, {
        node_id: vault.node_id,
      });
    }
  }

  directory(): ActorDirectory {
    return {
      actor: (id) => this.#state.actors[id],
      vaultOperator: (id) => this.#state.vaults[id]?.operator,
    };
  }

  submitTask(
    request: SubmitTaskRequest,
    idempotencyKey?: string,
    caller?: Caller,
  ): Promise<{ task: TaskView; created: boolean }> {
    const priority = this.#o.priority;
    return priority
      ? priority.admit(() => this.#submitTask(request, idempotencyKey, caller))
      : this.#submitTask(request, idempotencyKey, caller);
  }

  async #submitTask(
    request: SubmitTaskRequest,
    idempotencyKey?: string,
    caller?: Caller,
  ): Promise<{ task: TaskView; created: boolean }> {
    const now = this.#o.clock.now();
    const delegation = caller
      ? checkCaller(this.#state, request, caller, now, this.#o.openTaskQuota ?? DEFAULT_OPEN_TASK_QUOTA)
      : undefined;
    const task_id = taskIdFor(request.submitter, idempotencyKey);
    // Over capacity a new task is refused before any work; a replay of an admitted task still answers.
    if (!this.#state.tasks[task_id]) this.#checkBacklog();
    const body_hash = requestHash(request);
    const key = idempotencyKey ? `${request.submitter}:${idempotencyKey}` : undefined;
    const missing = request.targets.vault_ids.find((v) => !this.#state.vaults[v]);
    if (missing) {
      // A replay answers as before, even if its Vault is gone; only a new request is refused.
      const held = key ? await this.#o.tables.idempotencyKey(key) : undefined;
      if (held) return this.#replay(held, body_hash);
      throw new ApiFailure('unknown_vault', `vault ${missing} is not registered on this network`, {
        vault_id: missing,
      });
    }
    let envelope: ReturnType<typeof bindAdmission>;
    try {
      // Who may ask comes first (identity, grants, budget), then what the Vaults can answer (consent, semantics).
      const built = buildEnvelope(this.#state, request, task_id, now, delegation);
      const authorized = { ...built, authorization: { grant_ids: grantIdsFor(this.#state, request, built) } };
      if (caller || identityEnforced(this.#state)) {
        const refusal = authorizeTask(this.#state, authorized);
        if (refusal) throw failureOf(refusal, this.#state, request);
      }
      envelope = bindAdmission(this.#state, authorized);
    } catch (error) {
      // A replay answers as before even if, say, consent was revoked since; only a new request is refused.
      const held = key ? await this.#o.tables.idempotencyKey(key) : undefined;
      if (held) return this.#replay(held, body_hash);
      throw error;
    }
    if (key) {
      // One statement claims the key or returns its holder (a replay, or a conflicting reuse).
      const held = await this.#o.tables.claimOrGetIdempotencyKey(key, body_hash, task_id);
      if (held.body_hash !== body_hash || held.task_id !== task_id) return this.#replay(held, body_hash);
      if (this.#state.tasks[task_id]) return this.#replay(held, body_hash);
    }
    const result = await this.#o.writer.append({
      type: 'task_admitted',
      envelope,
      envelope_hash: envelopeHash(envelope),
    });
    if (result.kind === 'refused') {
      const existing = this.#state.tasks[task_id];
      if (key && existing && result.refusal.code === 'duplicate_task')
        return { task: taskView(existing, this.#state), created: false };
      throw failureOf(result.refusal, this.#state, request);
    }
    return { task: taskView(this.#state.tasks[task_id]!, this.#state), created: true };
  }

  /** Throws 503 `unavailable` (with `Retry-After`) while the pipeline holds its bound of tasks. */
  #checkBacklog(): void {
    const controller = this.#o.controller;
    if (!controller) return;
    const limit = this.#backlog;
    const open = controller.openTasks;
    if (open >= limit)
      throw new ApiFailure('unavailable', `the pipeline holds ${open} tasks, its limit; retry later`, {
        retry_after_seconds: 1,
        pipeline_tasks: open,
        limit,
      });
  }

  get #backlog(): number {
    return this.#o.pipelineBacklog ?? DEFAULT_PIPELINE_BACKLOG;
  }

  #replay(held: { body_hash: string; task_id: string }, body_hash: string): { task: TaskView; created: boolean } {
    if (held.body_hash !== body_hash) {
      throw new ApiFailure(
        'idempotency_conflict',
        'this Idempotency-Key was already used with a different request body',
        { task_id: held.task_id },
      );
    }
    const t = this.#state.tasks[held.task_id];
    if (!t) throw new ApiFailure('unavailable', 'the task for this Idempotency-Key is still being admitted; retry');
    return { task: taskView(t, this.#state), created: false };
  }

  getTask(taskId: string): TaskView | undefined {
    const t = this.#state.tasks[taskId];
    return t ? taskView(t, this.#state) : undefined;
  }

  taskRounds(taskId: string): TaskRounds {
    const t = this.#state.tasks[taskId];
    if (!t) throw new ApiFailure('not_found', `No task ${taskId}.`);
    if (t.class !== 'train')
      throw new ApiFailure('not_found', `Task ${taskId} is a ${t.class} task: only a Train task has rounds.`);
    return trainRoundsOf(this.#state, taskId);
  }

  async listTasks(query: TaskListQuery): Promise<TaskList> {
    const limit = query.limit ?? 50;
    const after = query.cursor ? Number.parseInt(query.cursor, 10) : -1;
    const matching = Object.values(this.#state.tasks)
      .filter((t) => (!query.state || t.state === query.state) && (!query.class || t.class === query.class))
      .map((t) => ({ t, seq: t.history[0]!.seq }))
      .filter((x) => x.seq > after)
      .sort((a, b) => a.seq - b.seq);
    const page = matching.slice(0, limit);
    const last = page[page.length - 1];
    return {
      tasks: page.map((x) => taskView(x.t, this.#state)),
      ...(matching.length > limit && last ? { next_cursor: String(last.seq) } : {}),
    };
  }

  async taskEvents(taskId: string): Promise<TaskEvents | undefined> {
    const t = this.#state.tasks[taskId];
    const entries = this.#o.follower.taskEntries.get(taskId);
    if (!t || !entries) return undefined;
    const stateAt = new Map(t.history.map((h) => [h.seq, h.state]));
    const indexed = new Set(entries.map((e) => e.seq));
    // State changes caused by entries about something else (finality completes every task of the epoch).
    const others = await Promise.all(
      t.history
        .filter((h) => !indexed.has(h.seq))
        .map(async (h) => {
          const entry = await this.#o.follower.entryAt(h.seq);
          return {
            seq: h.seq,
            time_ms: h.time_ms,
            epoch_id: entry?.epoch_id ?? 0,
            type: entry?.event.type ?? 'unknown',
            outcome: 'applied' as const,
          };
        }),
    );
    return {
      task_id: taskId,
      events: [...entries, ...others]
        .sort((a, b) => a.seq - b.seq)
        .map((e) => ({ ...e, ...(stateAt.has(e.seq) ? { state: stateAt.get(e.seq)! } : {}) })),
    };
  }

  async taskResult(taskId: string): Promise<TaskResult> {
    const t = this.#state.tasks[taskId];
    if (!t) throw new ApiFailure('not_found', `task ${taskId} does not exist`);
    const stored = t.receipt_hash ? await this.#o.tables.output(taskId, t.attempt) : undefined;
    if (!stored || !(TERMINAL_OR_SETTLED.has(t.state) || t.state === 'verifying')) {
      throw new ApiFailure(
        'result_not_ready',
        `task ${taskId} is ${t.state}; its result is released once it is verified`,
        { state: t.state },
      );
    }
    const receipt = await this.#records.receipt(taskId);
    return {
      task_id: taskId,
      state: t.state,
      output: stored.output,
      output_hash: stored.output_hash,
      receipt_hash: t.receipt_hash!,
      verified: TERMINAL_OR_SETTLED.has(t.state),
      ...(receipt
        ? {
            attestation: {
              provider: receipt.attestation.provider,
              measurement: receipt.attestation.measurement,
              simulated: receipt.attestation.provider === 'simulated',
            },
          }
        : {}),
    };
  }

  listEpochs(): EpochList {
    const s = this.#state;
    return {
      current_epoch: s.current_epoch,
      epochs: Object.keys(s.epochs)
        .map(Number)
        .sort((a, b) => b - a)
        .map((id) => epochView(s, id)),
    };
  }

  async closeEpoch(): Promise<CloseEpochResponse> {
    const epoch_id = this.#state.current_epoch;
    const result = await this.#o.writer.append({ type: 'epoch_closed', epoch_id, trigger: 'manual' });
    if (result.kind === 'refused')
      throw new ApiFailure('epoch_refused', result.refusal.message, { reason: result.refusal.code });
    return {
      closed_epoch: epoch_id,
      current_epoch: this.#state.current_epoch,
      settlement_state: this.#state.settlements[epoch_id]!.state,
    };
  }

  settlement(epochId: number): SettlementView | undefined {
    return settlementView(this.#state, epochId);
  }

  async retrySettlement(epochId: number): Promise<SettlementView> {
    if (!this.#state.settlements[epochId]) throw new ApiFailure('not_found', `No settlement for epoch ${epochId}.`);
    const result = await this.#o.writer.append({ type: 'settlement_retried', epoch_id: epochId });
    if (result.kind === 'refused')
      throw new ApiFailure('settlement_refused', result.refusal.message, { reason: result.refusal.code });
    return settlementView(this.#state, epochId)!;
  }

  settlementProof(epochId: number, entryId: string): SettlementProof {
    return this.#proofs.proof(this.#state, epochId, entryId);
  }

  rewards(query: RewardQuery): RewardList {
    const rewards = Object.values(this.#state.rewards)
      .filter(
        (r) =>
          (query.epochId === undefined || r.epoch_id === query.epochId) && (!query.actor || r.account === query.actor),
      )
      .sort((a, b) => a.epoch_id - b.epoch_id || (a.reward_id < b.reward_id ? -1 : 1));
    return { rewards, total: rewardTotal(rewards) };
  }

  /** Refreshes the Vault figures from their nodes, so the gauges a scrape reads are current. */
  async refreshMetrics(): Promise<void> {
    await this.vaults.refreshFigures();
  }

  metrics(): string {
    const s = this.#state;
    const lines: string[] = [];
    const gauge = (name: string, help: string, samples: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
      for (const [labels, v] of samples) lines.push(`${name}${labels} ${v}`);
    };
    const byState = new Map<string, number>();
    for (const t of Object.values(s.tasks)) byState.set(t.state, (byState.get(t.state) ?? 0) + 1);
    gauge('scs_log_head', 'Sequence number of the last folded log entry.', [['', s.head?.seq ?? -1]]);
    gauge('scs_log_ignored_entries', 'Log entries that chained but did not apply.', [['', s.ignored.count]]);
    gauge('scs_epoch_current', 'The open epoch.', [['', s.current_epoch]]);
    gauge(
      'scs_tasks',
      'Tasks by lifecycle state.',
      [...byState].map(([state, n]) => [`{state="${state}"}`, n]),
    );
    gauge('scs_settlements', 'Settlements by state.', [
      ...[
        ...Object.values(s.settlements).reduce(
          (m, x) => m.set(x.state, (m.get(x.state) ?? 0) + 1),
          new Map<string, number>(),
        ),
      ].map(([state, n]): [string, number] => [`{state="${state}"}`, n]),
    ]);
    const failures = settlementFailureFigures(s);
    gauge('scs_settlement_failed_epochs', 'Epochs whose settlement is failed now (alert when > 0).', [
      ['', failures.failedEpochs],
    ]);
    gauge('scs_settlement_failures_total', 'Settlement failures in the log so far, recovered or not.', [
      ['', failures.failuresTotal],
    ]);
    const vaults = Object.entries(s.vaults).sort(([a], [b]) => (a < b ? -1 : 1));
    gauge(
      'scs_vault_snapshot_epoch',
      'Epoch of the last snapshot root a Vault published in the log (-1: none yet).',
      vaults.map(([id, v]) => [`{vault_id="${id}"}`, v.last_snapshot?.epoch_id ?? -1]),
    );
    gauge(
      'scs_vault_snapshot_records',
      'Records covered by the last published snapshot root of a Vault.',
      vaults.map(([id, v]) => [`{vault_id="${id}"}`, v.last_snapshot?.record_count ?? 0]),
    );
    const figures = [...this.vaults.figures].sort(([a], [b]) => (a < b ? -1 : 1));
    gauge(
      'scs_vault_records',
      'Records in a Vault, asked of its node at each scrape (the last answer when it did not answer: see scs_vault_figures_fresh).',
      figures.map(([id, f]) => [`{vault_id="${id}"}`, f.record_count]),
    );
    gauge(
      'scs_vault_size_bytes',
      'Sealed bytes of a Vault, asked of its node at each scrape.',
      figures.filter(([, f]) => f.size_bytes !== undefined).map(([id, f]) => [`{vault_id="${id}"}`, f.size_bytes!]),
    );
    gauge(
      'scs_vault_figures_fresh',
      "1 when the Vault's node answered this scrape, 0 when its figures are from an earlier answer.",
      vaults.map(([id]) => [`{vault_id="${id}"}`, this.vaults.fresh.has(id) ? 1 : 0]),
    );
    gauge(
      'scs_vault_snapshot_root_info',
      'The last published snapshot root of a Vault, as a label (value 1).',
      vaults
        .filter(([, v]) => v.last_snapshot)
        .map(([id, v]) => [
          `{vault_id="${id}",epoch_id="${v.last_snapshot!.epoch_id}",root="${v.last_snapshot!.commitments_root}"}`,
          1,
        ]),
    );
    gauge('scs_log_appends', 'Entries this master appended.', [['', this.#o.writer.appended]]);
    gauge('scs_log_append_conflicts', 'Appends retried because another master appended first.', [
      ['', this.#o.writer.conflicts],
    ]);
    if (this.#o.controller) {
      gauge('scs_coordination_in_flight', 'Tasks with a coordination step running.', [
        ['', this.#o.controller.inFlight],
      ]);
      gauge('scs_coordination_retries', 'Calls to enterprise nodes retried.', [['', this.#o.controller.retries]]);
      gauge('scs_pipeline_tasks', 'Tasks in the pipeline: admitted and not yet past verification.', [
        ['', this.#o.controller.openTasks],
      ]);
      gauge('scs_pipeline_backlog', 'Tasks in the pipeline past which admission answers 503 with Retry-After.', [
        ['', this.#backlog],
      ]);
    }
    return `${lines.join('\n')}\n`;
  }
}
