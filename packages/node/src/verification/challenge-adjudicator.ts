/**
 * The adjudicator on the coordinating master: it takes up every open challenge
 * (`challenge_review_started`), replays its evidence against the log as it stood when the evidence
 * arrived, gathers what the evidence needs off the log (the recorded receipt, an independent
 * re-execution, a class checker's verdict), publishes the decision with the hash of the
 * adjudication, and closes the challenge: with a penalty when confirmed (after governance approval
 * if the policy requires it), without one otherwise. Every step is a log event through the core's
 * transitions; a restart resumes each challenge where the log left it.
 */
import type { ChallengeFindings } from '@symphony/api';
import {
  type AdjudicationFindings,
  adjudicateEvidence,
  adjudicationHash,
  type ChallengeRecord,
  type Entry,
  evidencePosition,
  fold,
  policyInForce,
} from '@symphony/protocol';
import type { LogWriter } from '../coordination/log-writer.ts';
import type { Backoff } from '../coordination/retry.ts';
import type { StateFollower } from '../coordination/state-follower.ts';
import { KeyedRunner } from '../coordination/task-queue.ts';
import { TaskRecords } from '../coordination/task-records.ts';
import type { Bus } from '../ports/bus.ts';
import type { ProtocolLog } from '../ports/protocol-log.ts';
import type { ChallengeEvidenceStore } from './challenge-evidence-store.ts';
import { CLASS_EVIDENCE, type ClassVerifiers } from './class-verifiers.ts';
import { reexecuteReceipt } from './reexecute-receipt.ts';

export type AdjudicatorOptions = {
  follower: StateFollower;
  writer: LogWriter;
  log: ProtocolLog;
  bus: Bus;
  evidence: ChallengeEvidenceStore;
  classVerifiers?: ClassVerifiers;
  requestTimeoutMs?: number;
  backoff?: Backoff;
  onError?: (what: string, error: unknown) => void;
};

const CHALLENGE_EVENTS = new Set([
  'challenge_opened',
  'challenge_review_started',
  'challenge_decided',
  'challenge_approved',
  'challenge_reopened',
]);

/** Reads the whole log (entries from seq 0 to the head), in pages. */
export async function readLog(log: ProtocolLog, uptoSeq?: number): Promise<Entry[]> {
  const out: Entry[] = [];
  for (;;) {
    const batch = (await log.read(out.length, 1000)) as unknown as Entry[];
    for (const e of batch) {
      if (uptoSeq !== undefined && e.seq > uptoSeq) return out;
      out.push(e);
    }
    if (batch.length < 1000) return out;
  }
}

export class ChallengeAdjudicator {
  readonly #o: AdjudicatorOptions;
  readonly #records: TaskRecords;
  readonly #runner: KeyedRunner;
  #unsubscribe: (() => void) | undefined;
  #stopped = false;

  constructor(opts: AdjudicatorOptions) {
    this.#o = opts;
    this.#records = new TaskRecords(opts.follower);
    this.#runner = new KeyedRunner(
      (id) => this.#step(id),
      (id, error) => opts.onError?.(`adjudicate ${id}`, error),
    );
  }

  start(): void {
    for (const id of Object.keys(this.#o.follower.state.challenges)) this.#runner.schedule(id);
    this.#unsubscribe = this.#o.follower.onApplied((entry, outcome) => {
      const e = entry.event;
      if (outcome.kind !== 'applied' || !CHALLENGE_EVENTS.has(e.type)) return;
      const id =
        e.type === 'challenge_opened' ? e.challenge.challenge_id : (e as { challenge_id: string }).challenge_id;
      this.#runner.schedule(id);
    });
  }

  async #step(id: string): Promise<void> {
    const c = this.#o.follower.state.challenges[id];
    if (!c || this.#stopped) return;
    const w = this.#o.writer;
    switch (c.state) {
      case 'opened':
      case 'reopened':
        await w.append({ type: 'challenge_review_started', challenge_id: id });
        return;
      case 'reviewing':
        await this.#decide(id, c);
        return;
      case 'confirmed': {
        const epoch = this.#o.follower.state.current_epoch;
        if (policyInForce(this.#o.follower.state, epoch)?.challenge_requires_approval) return; // governance decides
        await w.append({ type: 'challenge_closed', challenge_id: id, outcome: 'penalty_recorded' });
        return;
      }
      case 'approved':
        await w.append({ type: 'challenge_closed', challenge_id: id, outcome: 'penalty_recorded' });
        return;
      case 'not_confirmed':
        await w.append({ type: 'challenge_closed', challenge_id: id, outcome: 'closed_without_penalty' });
        return;
      default:
        return;
    }
  }

  async #decide(id: string, c: ChallengeRecord): Promise<void> {
    const hash = c.evidence_hashes[c.evidence_hashes.length - 1]!;
    const stored = await this.#o.evidence.get(hash);
    if (!stored) {
      this.#o.onError?.(`adjudicate ${id}`, new Error(`no stored evidence ${hash}: the challenge waits for it`));
      return;
    }
    const entries = await readLog(this.#o.log);
    const position = evidencePosition(entries, id);
    if (!position) return;
    const before = fold(entries.slice(0, position.index)).state;
    const findings = stored.findings ?? (await this.#gather(id, c, stored.evidence));
    if (!findings) return;
    await this.#o.evidence.setFindings(hash, findings);
    const a = adjudicateEvidence(before, c.challenge, stored.evidence, findings as AdjudicationFindings);
    await this.#o.writer.append({
      type: 'challenge_decided',
      challenge_id: id,
      outcome: a.outcome,
      decision_hash: adjudicationHash(a),
      ...(a.accused && c.challenge.target.kind === 'settlement' ? { accused: a.accused } : {}),
    });
  }

  /** What the evidence needs from off the log; undefined when a needed node did not answer (retried later). */
  async #gather(
    id: string,
    c: ChallengeRecord,
    evidence: Parameters<typeof adjudicateEvidence>[2],
  ): Promise<ChallengeFindings | undefined> {
    if (c.challenge.target.kind !== 'task') return {};
    const task_id = c.challenge.target.task_id;
    const state = this.#o.follower.state;
    const t = state.tasks[task_id];
    const [envelope, receipt] = await Promise.all([this.#records.envelope(task_id), this.#records.receipt(task_id)]);
    const policy = t && state.parameter_history.find((p) => p.policy_version === t.policy_version);
    if (!t || !envelope || !receipt || !policy) return {};
    const findings: ChallengeFindings = { receipt };
    if (evidence.kind === 'replay_output') {
      const reply = await reexecuteReceipt(state, envelope, t.envelope_hash, t.resolution_hash, receipt, policy, {
        bus: this.#o.bus,
        ...(this.#o.requestTimeoutMs ? { requestTimeoutMs: this.#o.requestTimeoutMs } : {}),
        ...(this.#o.backoff ? { backoff: this.#o.backoff } : {}),
        stillWanted: () => !this.#stopped && this.#o.follower.state.challenges[id]?.state === 'reviewing',
        ...(this.#o.onError ? { onError: this.#o.onError } : {}),
      });
      if (!reply) return undefined;
      findings.reexecution = { output_hash: reply.output_hash, transcript_hash: reply.transcript_hash };
    }
    const cls = CLASS_EVIDENCE[evidence.kind];
    const checker = cls ? this.#o.classVerifiers?.[cls]?.checkEvidence : undefined;
    if (checker) findings.class_check = await checker({ state, envelope, receipt, policy, evidence });
    return findings;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    await this.#runner.stop();
  }
}
