/**
 * The verifier on a master: for each task whose receipt it is assigned to check (a deterministic
 * rule over the log, not chosen by the executor), it asks the enterprise node to replay the
 * execution under the same replay context, checks the original sealed transcript's attestation
 * (evidence committed by the receipt, an enclave the executor registered, the attestation policy),
 * compares output and transcript hashes with the receipt, and publishes a signed decision.
 */
import {
  decisionHash,
  digestBytes,
  identityEnforced,
  type ProtocolState,
  stakeCompliant,
  type TaskRecord,
  type VerificationDecision,
} from '@symphony/protocol';
import type { AdmissionPriority } from '../coordination/admission-priority.ts';
import type { LogWriter } from '../coordination/log-writer.ts';
import { type Backoff, DEFAULT_BACKOFF, requestUntilAnswered } from '../coordination/retry.ts';
import type { StateFollower } from '../coordination/state-follower.ts';
import { KeyedRunner } from '../coordination/task-queue.ts';
import { TaskRecords } from '../coordination/task-records.ts';
import type { Bus } from '../ports/bus.ts';
import type { Keyring } from '../ports/keyring.ts';
import { resolveTask } from '../semantic/resolve-task.ts';
import { enterpriseSubjects, type ReexecuteReply, type ReexecuteRequest } from '../wire/enterprise-rpc.ts';
import type { AttestationVerifier } from './attestation-verifier.ts';
import { type ClassVerifiers, REEXECUTED_CLASSES } from './class-verifiers.ts';
import { attestationProblem } from './sealed-transcript-check.ts';

/**
 * The master that verifies a task when the log assigned no staked verifier actor to it (no actor is
 * eligible): masters sorted by id, indexed by the envelope hash. On a network that registers actors,
 * only masters whose operator holds the verifier stake of the task's policy_version are eligible;
 * with none eligible nobody verifies (the task times out).
 */
export function assignedVerifier(
  state: ProtocolState,
  t: Pick<TaskRecord, 'envelope_hash'> & Partial<Pick<TaskRecord, 'policy_version'>>,
): string | undefined {
  let masters = Object.keys(state.masters).sort();
  if (identityEnforced(state) && t.policy_version !== undefined) {
    const version = t.policy_version;
    masters = masters.filter((m) => stakeCompliant(state, state.masters[m]!.operator, 'verifier', version));
  }
  if (masters.length === 0) return undefined;
  return masters[Number.parseInt(t.envelope_hash.slice(0, 8), 16) % masters.length]!;
}

export type VerifierOptions = {
  nodeId: string;
  /** The account this master verifies as. */
  operator: string;
  keyName: string;
  keyring: Keyring;
  follower: StateFollower;
  writer: LogWriter;
  bus: Bus;
  /** Checks each execution's attestation evidence under the network's attestation policy. */
  attestation: AttestationVerifier;
  /** Aggregation-transcript checks of classes that are not re-executed (Query, Train). */
  classVerifiers?: ClassVerifiers;
  requestTimeoutMs?: number;
  backoff?: Backoff;
  onError?: (what: string, error: unknown) => void;
  /** When set, each verification first gives way to running admissions (bounded). */
  priority?: AdmissionPriority;
};

export class TaskVerifier {
  readonly #o: VerifierOptions;
  readonly #records: TaskRecords;
  readonly #runner: KeyedRunner;
  #unsubscribe: (() => void) | undefined;
  #stopped = false;
  accepted = 0;
  rejected = 0;

  constructor(opts: VerifierOptions) {
    this.#o = opts;
    this.#records = new TaskRecords(opts.follower);
    this.#runner = new KeyedRunner(
      (id) => this.#verify(id),
      (id, error) => opts.onError?.(`verify ${id}`, error),
    );
  }

  start(): void {
    const state = this.#o.follower.state;
    for (const t of Object.values(state.tasks)) this.#consider(t);
    this.#unsubscribe = this.#o.follower.onApplied((entry, outcome) => {
      if (outcome.kind === 'applied' && entry.event.type === 'execution_receipt_recorded') {
        const t = this.#o.follower.state.tasks[entry.event.receipt.task_id];
        if (t) this.#consider(t);
      }
    });
  }

  /** Whether this verifier must decide `t`: the actor the log assigned, or else the fallback master. */
  #isMine(t: TaskRecord): boolean {
    const actor = t.verification_assignment?.verifier;
    if (actor) return actor === this.#o.operator;
    return assignedVerifier(this.#o.follower.state, t) === this.#o.nodeId;
  }

  #consider(t: TaskRecord): void {
    if (t.state === 'verifying' && this.#isMine(t)) this.#runner.schedule(t.task_id);
  }

  async #verify(task_id: string): Promise<void> {
    await this.#o.priority?.giveWay();
    const t = this.#o.follower.state.tasks[task_id];
    if (t?.state !== 'verifying') return;
    const [envelope, receipt] = await Promise.all([this.#records.envelope(task_id), this.#records.receipt(task_id)]);
    const state = this.#o.follower.state;
    const policy = state.parameter_history.find((p) => p.policy_version === t.policy_version);
    if (!envelope || !receipt || !policy) return;
    if (t.verification_assignment?.sampled === false) {
      // The policy's sample skipped this receipt: accepted unchecked, challenges cover it.
      await this.#publish(t, 'accepted', 'sampled_out');
      return;
    }
    const classVerifier = this.#o.classVerifiers?.[t.class];
    if (!REEXECUTED_CLASSES.includes(t.class) && classVerifier) {
      const check = await classVerifier.checkTranscript({ state, envelope, receipt, policy });
      if (!check) return; // nobody answered while the task still wanted it: no decision
      await this.#publish(
        t,
        check.ok ? 'accepted' : 'rejected',
        'transcript_check',
        check.ok ? undefined : check.reason_code,
      );
      return;
    }
    const r = resolveTask(state, envelope);
    let outcome: 'accepted' | 'rejected' = 'rejected';
    let reason: string | undefined = 'resolution_mismatch';
    let reexecuted: string | undefined;
    if (r.ok && r.hash === t.resolution_hash) {
      const request: ReexecuteRequest = {
        envelope,
        envelope_hash: t.envelope_hash,
        receipt,
        resolution: r.resolution,
        policy: { k_min: policy.k_min, policy_version: policy.policy_version },
      };
      const reply = await this.#reexecute(receipt.executor_node, request, task_id);
      if (!reply) return;
      reexecuted = reply.output_hash;
      const problem = attestationProblem(this.#o.attestation, state, receipt, reply.sealed);
      const same = reply.output_hash === receipt.output_hash && reply.transcript_hash === receipt.transcript_hash;
      outcome = !problem && same ? 'accepted' : 'rejected';
      reason = problem ?? (same ? undefined : 'output_mismatch');
    }
    await this.#publish(t, outcome, 'reexecution', reason, reexecuted);
  }

  async #publish(
    t: TaskRecord,
    outcome: 'accepted' | 'rejected',
    method: VerificationDecision['method'],
    reason?: string,
    reexecuted?: string,
  ): Promise<void> {
    const unsigned: Omit<VerificationDecision, 'signature'> = {
      schema_version: 1,
      task_id: t.task_id,
      attempt: t.attempt,
      verifier: this.#o.operator,
      receipt_hash: t.receipt_hash!,
      outcome,
      method,
      ...(reason ? { reason_code: reason } : {}),
      ...(reexecuted ? { reexecution_output_hash: reexecuted } : {}),
      signer_public_key: await this.#o.keyring.publicKeyHex(this.#o.keyName),
    };
    const signature = await this.#o.keyring.sign(this.#o.keyName, digestBytes(decisionHash(unsigned)));
    const result = await this.#o.writer.append({ type: 'verification_decided', decision: { ...unsigned, signature } });
    if (result.kind === 'applied') {
      if (outcome === 'accepted') this.accepted++;
      else this.rejected++;
    }
  }

  #reexecute(node: string, request: ReexecuteRequest, task_id: string): Promise<ReexecuteReply | undefined> {
    return requestUntilAnswered<ReexecuteReply>(
      () =>
        this.#o.bus.request(enterpriseSubjects(node).reexecute, request, {
          timeoutMs: this.#o.requestTimeoutMs ?? 30_000,
        }),
      {
        backoff: this.#o.backoff ?? DEFAULT_BACKOFF,
        stillWanted: () => !this.#stopped && this.#o.follower.state.tasks[task_id]?.state === 'verifying',
        onFailure: (n, error) => this.#o.onError?.(`re-execute ${task_id} on ${node} (try ${n})`, error),
      },
    );
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    await this.#runner.stop();
  }
}
