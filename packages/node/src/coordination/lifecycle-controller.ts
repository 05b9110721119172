/**
 * The lifecycle controller of the coordinating master: it moves every task through the core's
 * transitions (resolution, dispatch to the enterprise node hosting the Vaults, the receipt),
 * retries calls with backoff, ends tasks past their deadline, closes epochs on schedule, fails
 * settlements whose masters did not reach the quorum by the deadline (`quorum_timeout`), and on
 * start resumes every task that is not finished. Each step reads the folded state and appends
 * one event; an event another master appended first is simply refused, so steps are idempotent.
 */
import {
  isScheduledCloseDue,
  participantsOf,
  policyInForce,
  QUORUM_TIMEOUT,
  settlementsPastDeadline,
  type TaskEnvelope,
  type TaskRecord,
} from '@symphony/protocol';
import type { MasterTables } from '../application/master-tables.ts';
import type { Bus } from '../ports/bus.ts';
import type { Clock } from '../ports/clock.ts';
import { resolveTask } from '../semantic/resolve-task.ts';
import { type ExecuteReply, type ExecuteRequest, enterpriseSubjects } from '../wire/enterprise-rpc.ts';
import type { AdmissionPriority } from './admission-priority.ts';
import type { LogWriter } from './log-writer.ts';
import { type Backoff, DEFAULT_BACKOFF, requestUntilAnswered } from './retry.ts';
import { type StateFollower, taskIdOf } from './state-follower.ts';
import { KeyedRunner } from './task-queue.ts';
import { TaskRecords } from './task-records.ts';
import { runTrainRounds } from './train-rounds.ts';

export type ControllerOptions = {
  follower: StateFollower;
  writer: LogWriter;
  bus: Bus;
  tables: MasterTables;
  clock: Clock;
  /** Timeout of one call to an enterprise node (default 30 s). */
  requestTimeoutMs?: number;
  backoff?: Backoff;
  /** How often deadlines and the epoch schedule are checked (default 1 s). */
  tickMs?: number;
  onError?: (what: string, error: unknown) => void;
  /** When set, each step first gives way to running admissions (bounded). */
  priority?: AdmissionPriority;
};

const DRIVEN = new Set(['accepted', 'resolving', 'dispatched']);
const OPEN = new Set(['accepted', 'resolving', 'dispatched', 'verifying']);

export class LifecycleController {
  readonly #o: Required<Omit<ControllerOptions, 'onError' | 'priority'>> &
    Pick<ControllerOptions, 'onError' | 'priority'>;
  readonly #records: TaskRecords;
  readonly #runner: KeyedRunner;
  readonly #open = new Set<string>();
  #unsubscribe: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #ticking = false;
  #stopped = false;
  retries = 0;

  constructor(opts: ControllerOptions) {
    this.#o = { requestTimeoutMs: 30_000, backoff: DEFAULT_BACKOFF, tickMs: 1000, ...opts };
    this.#records = new TaskRecords(opts.follower);
    this.#runner = new KeyedRunner(
      (id) => this.#step(id),
      (id, error) => this.#o.onError?.(`task ${id}`, error),
    );
  }

  start(): void {
    const state = this.#o.follower.state;
    for (const t of Object.values(state.tasks)) this.#track(t);
    this.#unsubscribe = this.#o.follower.onApplied((entry, outcome) => {
      if (outcome.kind !== 'applied') return;
      const id = taskIdOf(entry.event);
      const t = id ? this.#o.follower.state.tasks[id] : undefined;
      if (t) this.#track(t);
    });
    this.#timer = setInterval(() => void this.#tick(), this.#o.tickMs);
    this.#timer.unref();
  }

  #track(t: TaskRecord): void {
    if (OPEN.has(t.state)) this.#open.add(t.task_id);
    else this.#open.delete(t.task_id);
    if (DRIVEN.has(t.state)) this.#runner.schedule(t.task_id);
  }

  async #step(task_id: string): Promise<void> {
    await this.#o.priority?.giveWay();
    const state = this.#o.follower.state;
    const t = state.tasks[task_id];
    if (!t) return;
    switch (t.state) {
      case 'accepted':
        await this.#o.writer.append({ type: 'task_resolution_started', task_id });
        return;
      case 'resolving': {
        const envelope = await this.#records.envelope(task_id);
        if (!envelope) return;
        const r = resolveTask(state, envelope);
        if (!r.ok) {
          await this.#o.writer.append({ type: 'task_resolution_failed', task_id, reason_code: r.reason_code });
          return;
        }
        if (this.#awaitingParticipants(envelope, task_id)) return;
        const pinned = envelope.semantic.resolution_hash;
        if (pinned !== undefined && pinned !== r.hash) {
          // A Vault mapping changed between admission's check and its log position: fail, never run unpinned.
          await this.#o.writer.append({ type: 'task_resolution_failed', task_id, reason_code: 'resolution_mismatch' });
          return;
        }
        const assignments = envelope.targets.vault_ids.map((vault_id) => ({
          vault_id,
          node_id: state.vaults[vault_id]!.node_id,
        }));
        await this.#o.writer.append({
          type: 'task_dispatched',
          task_id,
          attempt: 1,
          resolution_hash: r.hash,
          assignments,
        });
        return;
      }
      case 'dispatched':
        await this.#execute(t);
        return;
      default:
        return;
    }
  }

  /** Asks the enterprise node to execute, with backoff, until it answers or the task moves on. */
  async #execute(t: TaskRecord): Promise<void> {
    const state = this.#o.follower.state;
    const envelope = await this.#records.envelope(t.task_id);
    const policy = state.parameter_history.find((p) => p.policy_version === t.policy_version);
    const r = envelope ? resolveTask(state, envelope) : undefined;
    if (!envelope || !policy || !r?.ok) return;
    const attempt = t.attempt;
    const request: ExecuteRequest = {
      envelope,
      envelope_hash: t.envelope_hash,
      attempt,
      resolution: r.resolution,
      policy: { k_min: policy.k_min, policy_version: policy.policy_version },
    };
    const node = t.assignments?.[0]?.node_id ?? r.node_id;
    // A Train task runs as rounds across the Vaults' nodes, driven from here (see train-rounds.ts).
    const run =
      envelope.spec.kind === 'train'
        ? () =>
            runTrainRounds(
              {
                follower: this.#o.follower,
                writer: this.#o.writer,
                bus: this.#o.bus,
                timeoutMs: this.#o.requestTimeoutMs,
                ...(this.#o.onError ? { onError: this.#o.onError } : {}),
              },
              t,
              request,
            )
        : () => this.#o.bus.request(enterpriseSubjects(node).execute, request, { timeoutMs: this.#o.requestTimeoutMs });
    const reply = await requestUntilAnswered<ExecuteReply>(run as () => Promise<ExecuteReply>, {
      backoff: this.#o.backoff,
      // Once the deadline passes, the tick times the task out.
      stillWanted: () => {
        const current = this.#o.follower.state.tasks[t.task_id];
        return (
          !this.#stopped &&
          current?.state === 'dispatched' &&
          current.attempt === attempt &&
          this.#o.clock.now() < t.deadline_ms
        );
      },
      onFailure: (n, error) => {
        this.retries++;
        this.#o.onError?.(`execute ${t.task_id} on ${node} (try ${n})`, error);
      },
    });
    if (!reply) return;
    if (
      reply.release &&
      reply.receipt.status === 'succeeded' &&
      !(await this.#decideRelease(t.task_id, attempt, reply.release))
    )
      return;
    await this.#o.tables.putOutput(t.task_id, attempt, reply.output, reply.receipt.output_hash);
    await this.#o.writer.append({ type: 'execution_receipt_recorded', receipt: reply.receipt });
  }

  /**
   * A participant query waits in `resolving` for acceptances: until `max_participants` subjects
   * accepted or `open_ms` after admission passed (the tick wakes it), whichever comes first.
   */
  #awaitingParticipants(envelope: TaskEnvelope, task_id: string): boolean {
    const spec = envelope.spec;
    if (spec.kind !== 'query' || !spec.participation?.required) return false;
    const accepted = participantsOf(this.#o.follower.state, task_id, spec.participation.max_participants).size;
    if (accepted >= spec.participation.max_participants) return false;
    return this.#o.clock.now() < envelope.admitted_at_ms + (spec.participation.open_ms ?? 0);
  }

  /**
   * A query's release goes through the reducer first: the budget charge and the differencing check
   * at the log position. Only a granted release stores the output and records the receipt.
   */
  async #decideRelease(
    task_id: string,
    attempt: number,
    release: NonNullable<ExecuteReply['release']>,
  ): Promise<boolean> {
    const prior = this.#o.follower.state.tasks[task_id]?.release;
    if (!prior || prior.attempt !== attempt) {
      await this.#o.writer.append({
        type: 'query_release_decided',
        task_id,
        attempt,
        scope: release.scope as never,
        charged: release.charged,
        released_sets: release.released_sets,
      });
    }
    const decided = this.#o.follower.state.tasks[task_id]?.release;
    return decided?.attempt === attempt && decided.outcome === 'granted';
  }

  async #tick(): Promise<void> {
    if (this.#ticking) return;
    this.#ticking = true;
    try {
      const state = this.#o.follower.state;
      const now = this.#o.clock.now();
      for (const id of [...this.#open]) {
        const t = state.tasks[id];
        if (t && OPEN.has(t.state) && now >= t.deadline_ms)
          await this.#o.writer.append({ type: 'task_timed_out', task_id: id });
        // A participant query waiting for acceptances moves on when its window closes.
        else if (t?.state === 'resolving' && t.class === 'query') this.#runner.schedule(id);
      }
      const window = state.epochs[state.current_epoch];
      const policy = policyInForce(state, state.current_epoch);
      if (window && policy && isScheduledCloseDue(window, policy, now)) {
        await this.#o.writer.append({ type: 'epoch_closed', epoch_id: state.current_epoch, trigger: 'schedule' });
      }
      // Masters that never sign: past the quorum deadline (log time) the settlement fails, raising the alert.
      for (const epoch_id of settlementsPastDeadline(this.#o.follower.state, now)) {
        await this.#o.writer.append({ type: 'settlement_failed', epoch_id, reason_code: QUORUM_TIMEOUT });
      }
    } catch (error) {
      this.#o.onError?.('tick', error);
    } finally {
      this.#ticking = false;
    }
  }

  /** Tasks in the pipeline: admitted and not yet past verification (accepted to verifying). */
  get openTasks(): number {
    return this.#open.size;
  }

  /** Tasks with a step running now (for metrics). */
  get inFlight(): number {
    return this.#runner.busy;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    if (this.#timer) clearInterval(this.#timer);
    await this.#runner.stop();
  }
}
