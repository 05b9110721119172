/**
 * The master role: folds the shared log into its own state, verifies the tasks assigned to it,
 * signs the settlements it builds, and (on the coordinating master) drives task lifecycles and
 * answers the API. Its own tables hold idempotency keys and released outputs.
 */
import { LedgerAnchor } from '../adapters/ledger-anchor.ts';
import { AssuranceService } from '../application/assurance-service.ts';
import { MasterService } from '../application/master-service.ts';
import { MasterTables, masterMigrations } from '../application/master-tables.ts';
import { CheckpointRecorder } from '../assurance/checkpoint-recorder.ts';
import { AdmissionPriority } from '../coordination/admission-priority.ts';
import { LifecycleController } from '../coordination/lifecycle-controller.ts';
import { LogWriter } from '../coordination/log-writer.ts';
import type { Backoff } from '../coordination/retry.ts';
import { StateFollower } from '../coordination/state-follower.ts';
import { schemaOf } from '../data/sql-names.ts';
import type { Anchor } from '../ports/anchor.ts';
import type { Bus } from '../ports/bus.ts';
import type { Clock } from '../ports/clock.ts';
import type { Keyring } from '../ports/keyring.ts';
import type { ProtocolLog } from '../ports/protocol-log.ts';
import type { Store } from '../ports/store.ts';
import type { QuoteVerifier } from '../ports/tee-provider.ts';
import { AccountingBook } from '../settlement/accounting-book.ts';
import { EpochAnchorer } from '../settlement/epoch-anchorer.ts';
import { type SettlementAlert, SettlementAlerts, stderrAlertSink } from '../settlement/settlement-alerts.ts';
import { SettlementSigner } from '../settlement/settlement-signer.ts';
import { aggregationVerifiers } from '../verification/aggregation-verifiers.ts';
import {
  type AttestationPolicy,
  AttestationVerifier,
  attestationPolicyFor,
} from '../verification/attestation-verifier.ts';
import { ChallengeAdjudicator } from '../verification/challenge-adjudicator.ts';
import { ChallengeEvidenceStore, challengeEvidenceMigrations } from '../verification/challenge-evidence-store.ts';
import { ChallengeService } from '../verification/challenge-service.ts';
import type { ClassVerifiers } from '../verification/class-verifiers.ts';
import { TaskVerifier } from '../verification/task-verifier.ts';
import { registeredNode, SignedBus } from '../wire/signed-bus.ts';
import { keyNameOf } from './enterprise.ts';

export type MasterOptions = {
  nodeId: string;
  operator: string;
  store: Store;
  log: ProtocolLog;
  bus: Bus;
  keyring: Keyring;
  clock: Clock;
  /** Whether this master drives task lifecycles (one coordinating master per network). */
  coordinator: boolean;
  pollIntervalMs?: number;
  requestTimeoutMs?: number;
  backoff?: Backoff;
  onError?: (what: string, error: unknown) => void;
  peers?: () => { node_id: string; log_position: number }[];
  /** Production flag: simulated attestation is then refused (unless `attestationPolicy` says otherwise). */
  production?: boolean;
  /** Overrides the attestation policy the production flag selects. */
  attestationPolicy?: AttestationPolicy;
  /** Verifies SGX/TDX DCAP quotes (with stored collateral); without it hardware evidence is rejected. */
  quoteVerifier?: QuoteVerifier;
  /** Open tasks one submitter may have (admission quota; default 1000). */
  openTaskQuota?: number;
  /** Tasks in the pipeline past which admission answers 503 (see `MasterServiceOptions.pipelineBacklog`). */
  pipelineBacklog?: number;
  /**
   * Admissions first, shared by every node on this thread (the embedded network passes one); a
   * coordinator without it makes its own, other masters then do not defer.
   */
  priority?: AdmissionPriority;
  /**
   * Whether the coordinator's lifecycle steps (resolution, dispatch, the receipt) give way to
   * running admissions (default true). False when the nodes those steps feed run on another thread
   * (the embedded network's pipeline thread): holding the steps back then leaves that thread idle
   * while admissions arrive, and the two threads take turns instead of overlapping.
   */
  deferLifecycleSteps?: boolean;
  /** Transcript and evidence checks of task classes that are not re-executed (Query, Train). */
  classVerifiers?: ClassVerifiers;
  /** Where the coordinating master sends settlement alerts (default: a JSON line on stderr). */
  onAlert?: (alert: SettlementAlert) => void;
  /** Where finalized epochs are anchored (default: the local anchor ledger in this master's schema). */
  anchor?: Anchor;
};

export class MasterNode {
  readonly nodeId: string;
  readonly follower: StateFollower;
  readonly writer: LogWriter;
  readonly service: MasterService;
  /** Where this master anchors finalized epochs. */
  readonly anchor: Anchor;
  /** The finalized accounting this master recorded. */
  readonly accounting: AccountingBook;
  readonly #parts: { stop(): Promise<void> }[];

  private constructor(opts: MasterOptions, tables: MasterTables, assurance: { anchor: Anchor; book: AccountingBook }) {
    this.nodeId = opts.nodeId;
    this.follower = new StateFollower(opts.log);
    this.anchor = assurance.anchor;
    this.accounting = assurance.book;
    // Subscribed before the first fold, so it sees every epoch close and finalization.
    const checkpoints = opts.coordinator ? new CheckpointRecorder(this.follower) : undefined;
    this.writer = new LogWriter(opts.log, this.follower, opts.clock, opts.nodeId);
    const keyName = keyNameOf(opts.nodeId);
    // Every request this master sends another node is signed with its registered key.
    const bus = new SignedBus(opts.bus, {
      nodeId: opts.nodeId,
      keyring: opts.keyring,
      keyName,
      lookup: (id) => registeredNode(this.follower.state, id),
      refresh: () => this.follower.catchUp(),
    });
    const common = { follower: this.follower, writer: this.writer, ...(opts.onError ? { onError: opts.onError } : {}) };
    const attestation = new AttestationVerifier({
      policy: opts.attestationPolicy ?? attestationPolicyFor(opts.production ?? false),
      clock: opts.clock,
      ...(opts.quoteVerifier ? { quotes: opts.quoteVerifier } : {}),
    });
    // Query and Train are verified from their aggregation transcripts unless the caller plugs others.
    const classVerifiers =
      opts.classVerifiers ??
      aggregationVerifiers({
        bus,
        follower: this.follower,
        attestation,
        ...(opts.requestTimeoutMs ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
        ...(opts.backoff ? { backoff: opts.backoff } : {}),
        ...(opts.onError ? { onError: opts.onError } : {}),
      });
    const priority = opts.priority ?? (opts.coordinator ? new AdmissionPriority() : undefined);
    const verifier = new TaskVerifier({
      ...common,
      ...(priority ? { priority } : {}),
      nodeId: opts.nodeId,
      operator: opts.operator,
      keyName,
      keyring: opts.keyring,
      bus,
      classVerifiers,
      attestation,
      ...(opts.requestTimeoutMs ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
      ...(opts.backoff ? { backoff: opts.backoff } : {}),
    });
    const signer = new SettlementSigner({
      ...common,
      nodeId: opts.nodeId,
      keyName,
      keyring: opts.keyring,
      clock: opts.clock,
    });
    const evidence = new ChallengeEvidenceStore(opts.store, schemaOf(opts.nodeId));
    const challengeParts = {
      ...common,
      log: opts.log,
      evidence,
      classVerifiers,
    };
    const adjudicator = opts.coordinator
      ? new ChallengeAdjudicator({
          ...challengeParts,
          bus,
          ...(opts.requestTimeoutMs ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
          ...(opts.backoff ? { backoff: opts.backoff } : {}),
        })
      : undefined;
    const controller = opts.coordinator
      ? new LifecycleController({
          ...common,
          ...(priority && opts.deferLifecycleSteps !== false ? { priority } : {}),
          bus,
          tables,
          clock: opts.clock,
          ...(opts.requestTimeoutMs ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
          ...(opts.backoff ? { backoff: opts.backoff } : {}),
        })
      : undefined;
    this.service = new MasterService({
      nodeId: opts.nodeId,
      follower: this.follower,
      writer: this.writer,
      bus,
      tables,
      clock: opts.clock,
      ...(controller ? { controller } : {}),
      ...(priority ? { priority } : {}),
      ...(opts.peers ? { peers: opts.peers } : {}),
      governance: { node_id: opts.nodeId, sign: (digest) => opts.keyring.sign(keyName, digest) },
      ...(opts.openTaskQuota ? { openTaskQuota: opts.openTaskQuota } : {}),
      ...(opts.pipelineBacklog ? { pipelineBacklog: opts.pipelineBacklog } : {}),
      challenges: new ChallengeService(challengeParts),
    });
    if (checkpoints) {
      this.service.assurance = new AssuranceService({
        log: opts.log,
        follower: this.follower,
        checkpoints,
        book: assurance.book,
        anchor: assurance.anchor,
      });
    }
    const anchorer = new EpochAnchorer({
      follower: this.follower,
      anchor: assurance.anchor,
      book: assurance.book,
      ...(opts.onError ? { onError: opts.onError } : {}),
    });
    const alerts = opts.coordinator ? new SettlementAlerts(this.follower, opts.onAlert ?? stderrAlertSink) : undefined;
    this.#parts = [
      verifier,
      signer,
      anchorer,
      ...(controller ? [controller] : []),
      ...(adjudicator ? [adjudicator] : []),
      ...(alerts ? [alerts] : []),
    ];
    this.#start = () => {
      verifier.start();
      signer.start();
      anchorer.start();
      controller?.start();
      adjudicator?.start();
    };
  }

  readonly #start: () => void;

  /** Creates the master's tables and key and folds the log; `run()` then starts its work. */
  static async open(opts: MasterOptions): Promise<MasterNode> {
    await opts.store.migrate(masterMigrations(schemaOf(opts.nodeId)));
    await opts.store.migrate(challengeEvidenceMigrations(schemaOf(opts.nodeId)));
    await opts.keyring.ensureKey(keyNameOf(opts.nodeId));
    const schema = schemaOf(opts.nodeId);
    const book = await AccountingBook.open(opts.store, schema);
    const anchor = opts.anchor ?? (await LedgerAnchor.open(opts.store, schema));
    const node = new MasterNode(opts, new MasterTables(opts.store, schema), { anchor, book });
    await node.follower.start(opts.pollIntervalMs);
    return node;
  }

  /** Starts verifying, signing and (when coordinating) driving tasks, resuming unfinished work. */
  run(): void {
    this.#start();
  }

  async close(): Promise<void> {
    for (const part of this.#parts) await part.stop();
    await this.follower.stop();
  }
}
