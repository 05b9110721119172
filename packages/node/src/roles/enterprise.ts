/**
 * The enterprise role: Vaults (records, evidence) and the execution runtime next to them. It
 * answers masters on the bus; plaintext never leaves this node: replies carry aggregates,
 * commitments and signatures only.
 */
import { randomUUID } from 'node:crypto';
import {
  type AttestationKind,
  attestationHash,
  buildMerkleTree,
  digestBytes,
  domainHash,
  type EnclaveRegistration,
  hexToBytes,
  mappingInForce,
  programApprovedAt,
  programDecisionHash,
  type SemanticDomain,
} from '@symphony/protocol';
import { SimulatedTeeProvider } from '../adapters/simulated-tee.ts';
import { SystemClock } from '../adapters/system-clock.ts';
import type { AdmissionPriority } from '../coordination/admission-priority.ts';
import { FollowerConsentOracle } from '../coordination/follower-consent.ts';
import { LogWriter } from '../coordination/log-writer.ts';
import { StateFollower } from '../coordination/state-follower.ts';
import { EvidenceStore, evidenceMigrations } from '../data/evidence-store.ts';
import { sealedDocumentSource } from '../data/sealed-documents.ts';
import { schemaOf } from '../data/sql-names.ts';
import { firstRecordProblem } from '../data/validate-records.ts';
import { loadVaultMasterSecret } from '../data/vault-crypto.ts';
import {
  type DocumentInput,
  type ParsedDocument,
  VaultDocuments,
  vaultDocumentMigrations,
} from '../data/vault-documents.ts';
import { VaultIngest } from '../data/vault-ingest.ts';
import {
  DEFAULT_VAULT_LIMITS,
  RecordRefused,
  type VaultLimits,
  VaultRecords,
  vaultRecordMigrations,
} from '../data/vault-records.ts';
import {
  computeOutput,
  EXECUTOR_MEASUREMENT,
  type ExecutionContext,
  type ExecutionFault,
  ExecutionRefused,
  executeTask,
  failureReceipt,
} from '../execution/execute-task.ts';
import { loadNoiseSeeder } from '../execution/noise-seed.ts';
import { OcrEngine } from '../execution/parse/parse-document.ts';
import { openAudience } from '../execution/query/audience-handle.ts';
import { executeQueryTask, reexecuteQuery } from '../execution/query/execute-query-task.ts';
import { type NoiseRecomputationRequest, recomputeNoise } from '../execution/query/noise-recomputation.ts';
import { type ParticipationSignRequest, signParticipation } from '../execution/query/participation-signer.ts';
import {
  type AggregationFault,
  answerPartial,
  type QueryPartialRequest,
  type QueryRuntime,
} from '../execution/query/query-runtime.ts';
import { loadAudienceKey, loadPseudonymizer } from '../execution/query/subject-pseudonyms.ts';
import type { SandboxLimits } from '../execution/sandbox/quickjs-sandbox.ts';
import { AggregationEnclave, type AggregationEnclaveOptions } from '../execution/train/aggregation-enclave.ts';
import { TrainService } from '../execution/train/train-service.ts';
import { VaultTrainEnclave } from '../execution/train/vault-enclave.ts';
import type { Bus, Subscription } from '../ports/bus.ts';
import type { Clock } from '../ports/clock.ts';
import { PortError } from '../ports/errors.ts';
import type { Keyring } from '../ports/keyring.ts';
import type { ProtocolLog } from '../ports/protocol-log.ts';
import type { Store } from '../ports/store.ts';
import type { TeeProvider } from '../ports/tee-provider.ts';
import { derivedRecords } from '../semantic/derive-records.ts';
import { AttestationVerifier, attestationPolicyFor } from '../verification/attestation-verifier.ts';
import {
  type AttestReply,
  type AttestRequest,
  type ExecuteReply,
  type ExecuteRequest,
  enterpriseSubjects,
  type IngestReply,
  type IngestRequest,
  type ReexecuteReply,
  type ReexecuteRequest,
  type StatusReply,
  type TranscriptReply,
  type TranscriptRequest,
  type UploadReply,
  type UploadRequest,
  type VaultReply,
  type VaultRequest,
  type VaultSnapshot,
} from '../wire/enterprise-rpc.ts';
import { registeredNode, SignedBus } from '../wire/signed-bus.ts';

/** A hosted Vault: its declared domain (records are validated against it), its limits and program policy. */
/** Chunk size of a document stored on this node (the API edge streams 256 KiB chunks too). */
const DOCUMENT_CHUNK_BYTES = 256 * 1024;

export type EnterpriseVault = {
  vault_id: string;
  domain: SemanticDomain;
  limits?: Partial<VaultLimits>;
  /** The Vault's program policy: SHA-256 code hashes its operator approved to run over its records. */
  approved_programs?: readonly string[];
};

export type EnterpriseOptions = {
  nodeId: string;
  /** The account that operates this node and its Vaults. */
  operator: string;
  store: Store;
  bus: Bus;
  keyring: Keyring;
  vaults: readonly EnterpriseVault[];
  /** Narrower sandbox limits than the defaults (tests). */
  sandboxLimits?: SandboxLimits;
  /**
   * The protocol log this node follows: consent grants and revocations and Vault mappings are
   * read from its own folded copy, never taken from a master's word.
   */
  log: ProtocolLog;
  pollIntervalMs?: number;
  /** The enclave executions run in; by default a simulated (software) enclave keyed in `keyring`. */
  tee?: TeeProvider;
  /** Production flag: a simulated enclave is then refused at start. */
  production?: boolean;
  /** Builds this node's Train aggregation enclave (tests substitute a dishonest one); default the real one. */
  aggregationEnclave?: (opts: AggregationEnclaveOptions) => AggregationEnclave;
  /** Test-only: a compromised enclave's tampering (see `ExecutionFault`); refused in production. */
  fault?: ExecutionFault;
  /** Test-only: a compromised query aggregation enclave (see `AggregationFault`); refused in production. */
  aggregationFault?: AggregationFault;
  /** The clock of the log entries this node appends (its Vault snapshots); default: the system clock. */
  clock?: Clock;
  /** Told about background work that failed (an automatic snapshot publication); default: ignored. */
  onError?: (what: string, error: unknown) => void;
  /** Decrypted snapshot rows this node keeps in memory (default `SNAPSHOT_CACHE_ROWS`). */
  snapshotCacheRows?: number;
  /** Admissions first, shared with the masters on this thread: executions give way to running admissions (bounded). */
  priority?: AdmissionPriority;
};

export class EnterpriseNode {
  readonly nodeId: string;
  readonly #opts: EnterpriseOptions;
  readonly #records: VaultRecords;
  readonly #ingestion: VaultIngest;
  readonly #evidence: EvidenceStore;
  readonly #documents: VaultDocuments;
  readonly #ocr = new OcrEngine();
  readonly #subscriptions: Subscription[] = [];
  readonly #ctx: ExecutionContext;
  #query: QueryRuntime | undefined;
  #train: TrainService | undefined;
  readonly follower: StateFollower;
  /** Appends this node's own log events: the Vault snapshot roots it publishes at each epoch close. */
  readonly #writer: LogWriter;
  #publishing: Promise<void> = Promise.resolve();
  #stopListening: (() => void) | undefined;

  private constructor(opts: EnterpriseOptions, tee: TeeProvider, master: Uint8Array) {
    this.nodeId = opts.nodeId;
    this.#opts = opts;
    this.follower = new StateFollower(opts.log);
    this.#writer = new LogWriter(opts.log, this.follower, opts.clock ?? new SystemClock(), opts.nodeId);
    const schema = schemaOf(opts.nodeId);
    const limits = new Map(opts.vaults.map((v) => [v.vault_id, { ...DEFAULT_VAULT_LIMITS, ...v.limits }]));
    this.#records = new VaultRecords(
      opts.store,
      schema,
      master,
      (id) => limits.get(id) ?? DEFAULT_VAULT_LIMITS,
      opts.snapshotCacheRows !== undefined ? { snapshotCacheRows: opts.snapshotCacheRows } : {},
    );
    this.#ingestion = new VaultIngest(this.#records, (id) => opts.vaults.find((v) => v.vault_id === id)?.domain);
    this.#evidence = new EvidenceStore(opts.store, schema);
    this.#documents = new VaultDocuments(opts.store, schema);
    const records = this.#records;
    const documents = this.#documents;
    this.#ctx = {
      nodeId: opts.nodeId,
      operator: opts.operator,
      keyName: keyNameOf(opts.nodeId),
      keyring: opts.keyring,
      records: this.#records,
      parse: {
        documents: sealedDocumentSource(records),
        ocr: this.#ocr,
        async store(vault_id, document, record) {
          await documents.putParsed(vault_id, document);
          await records.insert(vault_id, [record]);
        },
      },
      // Approved in the node's configuration, or by a `program_approved` event logged before the
      // task's admission and not revoked before it (so a replay decides the same).
      programApproval: (vault_id, code_hash, task_id) => {
        if (opts.vaults.some((v) => v.vault_id === vault_id && (v.approved_programs ?? []).includes(code_hash)))
          return true;
        const admitted = this.follower.state.tasks[task_id]?.history[0]?.seq;
        return admitted !== undefined && programApprovedAt(this.follower.state, vault_id, code_hash, admitted);
      },
      ...(opts.sandboxLimits ? { sandboxLimits: opts.sandboxLimits } : {}),
      consent: new FollowerConsentOracle(this.follower),
      tee,
      ...(opts.fault && !opts.production ? { fault: opts.fault } : {}),
    };
  }

  /** Migrates this node's schema, makes sure its key exists, and starts answering on the bus. */
  static async start(opts: EnterpriseOptions): Promise<EnterpriseNode> {
    const tee =
      opts.tee ??
      (await SimulatedTeeProvider.open({
        keyring: opts.keyring,
        keyName: enclaveKeyNameOf(opts.nodeId),
        measurement: EXECUTOR_MEASUREMENT,
        ...(opts.production ? { production: true } : {}),
      }));
    const schema = schemaOf(opts.nodeId);
    await opts.store.migrate([
      ...vaultRecordMigrations(schema),
      ...evidenceMigrations(schema),
      ...vaultDocumentMigrations(schema),
    ]);
    await opts.keyring.ensureKey(keyNameOf(opts.nodeId));
    const node = new EnterpriseNode(opts, tee, await loadVaultMasterSecret(opts.keyring, keyNameOf(opts.nodeId)));
    await node.#records.dropInterruptedUploads();
    await node.follower.start(opts.pollIntervalMs);
    const subjects = enterpriseSubjects(opts.nodeId);
    // Only nodes registered in the log may call this node, each request signed by its key: masters for
    // everything, and other enterprise nodes' aggregation enclaves for query partials.
    const signed = (accept: readonly ('master' | 'enterprise')[]) =>
      new SignedBus(opts.bus, {
        nodeId: opts.nodeId,
        keyring: opts.keyring,
        keyName: keyNameOf(opts.nodeId),
        lookup: (id) => registeredNode(node.follower.state, id),
        refresh: () => node.follower.catchUp(),
        accept,
      });
    const bus = signed(['master']);
    const peers = signed(['master', 'enterprise']);
    node.#query = {
      nodeId: opts.nodeId,
      operator: opts.operator,
      bus: peers,
      follower: node.follower,
      tee,
      records: node.#records,
      consent: node.#ctx.consent,
      pseudonymOf: await loadPseudonymizer(opts.keyring),
      audienceKey: await loadAudienceKey(opts.keyring),
      noiseSeedOf: await loadNoiseSeeder(opts.keyring),
      hosts: (vault_id) => opts.vaults.some((v) => v.vault_id === vault_id),
      ...(opts.aggregationFault && !opts.production ? { aggregationFault: opts.aggregationFault } : {}),
      clock: new SystemClock(),
    };
    node.#subscriptions.push(
      await bus.serve(subjects.ingest, (p) => node.#ingest(p as IngestRequest)),
      await bus.serve(subjects.execute, (p) => node.#execute(p as ExecuteRequest)),
      await bus.serve(subjects.reexecute, (p) => node.#reexecute(p as ReexecuteRequest)),
      await bus.serve(subjects.transcript, (p) => node.#transcript(p as TranscriptRequest)),
      await bus.serve(subjects.status, () => node.status()),
      await bus.serve(subjects.attest, (p) => node.#attest(p as AttestRequest)),
      await bus.serve(subjects.upload, (p) => node.#upload(p as UploadRequest)),
      await bus.serve(subjects.vault, (p) => node.#vault(p as VaultRequest)),
      await peers.serve(subjects.queryPartial, (p) => answerPartial(node.#query!, p as QueryPartialRequest)),
      // Masters verifying a Query ask this node's enclave to recompute the secret-seeded noise.
      await bus.serve(subjects.queryNoise, (p) => recomputeNoise(node.#query!, p as NoiseRecomputationRequest)),
      await bus.serve(subjects.queryParticipation, (p) =>
        signParticipation(
          { ...node.#query!, keyName: keyNameOf(opts.nodeId), keyring: opts.keyring },
          p as ParticipationSignRequest,
        ),
      ),
    );
    // Each epoch close publishes every hosted Vault's snapshot root; a close missed while this node
    // was down is caught up now.
    node.#stopListening = node.follower.onApplied((entry, outcome) => {
      if (entry.event.type === 'epoch_closed' && outcome.kind === 'applied') node.#schedulePublication();
    });
    const s = node.follower.state;
    if (s.epochs[s.current_epoch - 1]?.closed_at_seq !== undefined) node.#schedulePublication();
    const state = () => node.follower.state;
    const train = await TrainService.serve({
      nodeId: opts.nodeId,
      bus: peers,
      state,
      vault: new VaultTrainEnclave({
        nodeId: opts.nodeId,
        records: node.#records,
        consent: node.#ctx.consent,
        tee,
        hosts: (id) => opts.vaults.some((v) => v.vault_id === id),
        state,
        attestation: new AttestationVerifier({
          policy: attestationPolicyFor(opts.production === true),
          clock: new SystemClock(),
        }),
      }),
      aggregation: (opts.aggregationEnclave ?? ((o) => new AggregationEnclave(o)))({
        ctx: node.#ctx,
        state,
        keepEvidence: (hash, sealed, receipt) => node.#evidence.put(hash, sealed, receipt),
      }),
    });
    node.#train = train.service;
    node.#subscriptions.push(...train.subscriptions);
    return node;
  }

  /** Resolves once the snapshot publications scheduled so far are done (tests, shutdown). */
  async settled(): Promise<void> {
    await this.#publishing;
  }

  #schedulePublication(): void {
    this.#publishing = this.#publishing
      .then(() => this.#publishDue())
      .catch((error: unknown) => this.#opts.onError?.('vault snapshot publication', error));
  }

  /**
   * Publishes, for every hosted Vault that has none yet for the open epoch, its signed snapshot
   * root (the commitments as the epoch opens). A refusal because another publication for this
   * epoch got there first is not an error.
   */
  async #publishDue(): Promise<void> {
    const state = this.follower.state;
    const epoch_id = state.current_epoch;
    for (const v of this.#opts.vaults) {
      const registered = state.vaults[v.vault_id];
      if (registered?.node_id !== this.nodeId) continue;
      if ((registered.last_snapshot?.epoch_id ?? -1) >= epoch_id) continue;
      const { signature, ...snapshot } = await this.#snapshot(v.vault_id, epoch_id);
      const result = await this.#writer.append({ type: 'vault_snapshot_published', snapshot, signature });
      if (result.kind === 'refused' && !['duplicate_snapshot', 'wrong_epoch'].includes(result.refusal.code))
        throw new Error(`snapshot of ${v.vault_id} for epoch ${epoch_id} refused: ${result.refusal.code}`);
    }
  }

  /**
   * The Vault operator's decision on a sandbox program, as a protocol event: the node signs
   * `program_approved` / `program_revoked` for one of its Vaults and appends it itself.
   */
  async decideProgram(
    vault_id: string,
    action: 'approve' | 'revoke',
    code_hash: string,
  ): Promise<{ vault_id: string; code_hash: string; action: 'approve' | 'revoke'; seq: number }> {
    if (!this.#opts.vaults.some((v) => v.vault_id === vault_id))
      throw new PortError('unknown_vault', `vault ${vault_id} is not hosted by ${this.nodeId}`);
    const decision = { vault_id, node_id: this.nodeId, code_hash };
    const signature = await this.#opts.keyring.sign(
      keyNameOf(this.nodeId),
      digestBytes(programDecisionHash(action, decision)),
    );
    const result = await this.#writer.append({
      type: action === 'approve' ? 'program_approved' : 'program_revoked',
      decision,
      signature,
    });
    if (result.kind === 'refused') throw new PortError(result.refusal.code, result.refusal.message);
    return { vault_id, code_hash, action, seq: result.seq };
  }

  /** Signs the Vault's commitment root as of now for `epoch_id` (expired records are purged first). */
  async #snapshot(id: string, epoch_id: number): Promise<VaultSnapshot> {
    // Retention is enforced when a snapshot is taken: expired records are deleted (with an audit event) first.
    await this.#records.purgeExpired(id, Date.now());
    const commitments = await this.#records.commitments(id, await this.#records.head(id));
    const body = {
      vault_id: id,
      node_id: this.nodeId,
      epoch_id,
      record_count: commitments.length,
      commitments_root: buildMerkleTree(commitments.map(hexToBytes)).rootHex,
    };
    const signature = await this.#opts.keyring.sign(
      keyNameOf(this.nodeId),
      digestBytes(domainHash('scp/v1/vault-snapshot', body)),
    );
    await this.#records.recordSnapshot(id, epoch_id, body.record_count, body.commitments_root);
    return { ...body, signature };
  }

  /** The enclave this node executes in, as registered in the log (provider, measurement, enclave key). */
  enclave(): Promise<EnclaveRegistration> {
    return this.#ctx.tee.identity();
  }

  async publicKeyHex(): Promise<string> {
    return this.#opts.keyring.publicKeyHex(keyNameOf(this.nodeId));
  }

  async status(): Promise<StatusReply> {
    const counts = await this.#records.counts();
    return {
      node_id: this.nodeId,
      vaults: this.#opts.vaults.map((v) => ({ vault_id: v.vault_id, record_count: counts.get(v.vault_id) ?? 0 })),
    };
  }

  /**
   * Stores a binary document (receipt image or PDF) in a hosted Vault, sealed like an upload through
   * the API edge (its media type is read from its bytes); for tools and tests on this node.
   */
  async storeDocument(vault_id: string, doc: DocumentInput): Promise<{ record_id: string }> {
    if (!this.#opts.vaults.some((v) => v.vault_id === vault_id))
      throw new PortError('unknown_vault', `vault ${vault_id} is not hosted by ${this.nodeId}`);
    const upload_id = `upl_local-${randomUUID()}`;
    const step = async (req: UploadRequest) => {
      const reply = await this.#ingestion.handle(req);
      if (!reply.ok) throw new PortError(reply.problem.code, reply.problem.reason);
      return reply;
    };
    await step({ op: 'begin_document', vault_id, upload_id, subject: doc.subject, record_id: doc.document_id });
    for (let at = 0; at < doc.bytes.length; at += DOCUMENT_CHUNK_BYTES)
      await step({
        op: 'chunk',
        upload_id,
        data_base64: Buffer.from(doc.bytes.subarray(at, at + DOCUMENT_CHUNK_BYTES)).toString('base64'),
      });
    const done = await step({ op: 'commit', upload_id });
    return { record_id: done.record_id ?? doc.document_id };
  }

  /** What Parse derived from a document of a hosted Vault (stays on this node). */
  async parsedDocuments(vault_id: string, document_id: string): Promise<ParsedDocument[]> {
    return this.#documents.parsedOf(vault_id, document_id);
  }

  async #ingest(req: IngestRequest): Promise<IngestReply> {
    const vault = this.#opts.vaults.find((v) => v.vault_id === req.vault_id);
    if (!vault) throw new PortError('unknown_vault', `vault ${req.vault_id} is not hosted by ${this.nodeId}`);
    // A Vault with a declared mapping stores its local fields; what must fit the domain is what they derive.
    const mapping = mappingInForce(this.follower.state, vault.vault_id, vault.domain.domain, Number.MAX_SAFE_INTEGER);
    const domain = mapping
      ? this.follower.state.semantic_domains[`${mapping.domain}@${mapping.semantic_version}`]
      : vault.domain;
    if (!domain) throw new PortError('invalid_records', `the mapping of ${vault.vault_id} names an unknown version`);
    const problem = firstRecordProblem(domain, mapping ? derivedRecords(mapping, req.records) : req.records);
    if (problem) {
      throw new PortError('invalid_records', `record ${problem.index}: field ${problem.field}: ${problem.reason}`);
    }
    let result: { accepted: number; duplicates: number };
    try {
      result = await this.#records.insert(req.vault_id, req.records);
    } catch (error) {
      if (error instanceof RecordRefused) throw new PortError(error.code, error.message);
      throw error;
    }
    const { accepted, duplicates } = result;
    return { vault_id: req.vault_id, accepted, duplicates, record_count: await this.#records.count(req.vault_id) };
  }

  /**
   * Signs a statement about one of this node's Vaults with the node key: the Vault operator
   * records consent, mappings and candidates on behalf of its data subjects.
   */
  async #attest(req: AttestRequest): Promise<AttestReply> {
    const kind: AttestationKind = req.kind;
    const statements = [];
    for (const statement of req.statements) {
      if (!this.#opts.vaults.some((v) => v.vault_id === statement.vault_id))
        throw new PortError('unknown_vault', `vault ${statement.vault_id} is not hosted by ${this.nodeId}`);
      if (statement.signer_node !== this.nodeId)
        throw new PortError('wrong_signer', `this node signs as ${this.nodeId}`);
      const digest = attestationHash(kind, statement as never);
      statements.push({
        ...statement,
        signature: await this.#opts.keyring.sign(keyNameOf(this.nodeId), digestBytes(digest)),
      });
    }
    return { statements };
  }

  /**
   * The subjects of a hosted Vault that an audience handle names, for delivery from this node
   * (coupons, offers); the identities never leave it. Throws `invalid_audience_handle`.
   */
  async audienceMembers(vault_id: string, task_id: string, handle: string): Promise<string[]> {
    if (!this.#opts.vaults.some((v) => v.vault_id === vault_id))
      throw new PortError('unknown_vault', `vault ${vault_id} is not hosted by ${this.nodeId}`);
    const members = new Set(openAudience(this.#query!.audienceKey, task_id, handle));
    const stored = await this.#records.snapshot(vault_id, await this.#records.head(vault_id), Date.now());
    const subjects = new Set(stored.map((r) => r.subject));
    return [...subjects].filter((s) => members.has(this.#query!.pseudonymOf(s))).sort();
  }

  /** The hosted Vault's records, for operations and tests on this node (never exposed on the bus). */
  get records(): VaultRecords {
    return this.#records;
  }

  async #upload(req: UploadRequest): Promise<UploadReply> {
    if ('vault_id' in req && !this.#opts.vaults.some((v) => v.vault_id === req.vault_id))
      throw new PortError('unknown_vault', `vault ${req.vault_id} is not hosted by ${this.nodeId}`);
    return this.#ingestion.handle(req);
  }

  async #vault(req: VaultRequest): Promise<VaultReply> {
    if (!this.#opts.vaults.some((v) => v.vault_id === req.vault_id))
      throw new PortError('unknown_vault', `vault ${req.vault_id} is not hosted by ${this.nodeId}`);
    const id = req.vault_id;
    if (req.op === 'show') {
      const last = await this.#records.lastSnapshot(id);
      return {
        vault_id: id,
        node_id: this.nodeId,
        ...(await this.#records.stats(id)),
        key_version: await this.#records.keyVersion(id),
        ...(last ? { last_snapshot: last } : {}),
      };
    }
    if (req.op === 'snapshot') return this.#snapshot(id, req.epoch_id);
    if (req.op === 'program') return this.decideProgram(id, req.action, req.code_hash);
    const as_of_seq = await this.#records.head(id);
    const commitments = await this.#records.commitments(id, as_of_seq);
    const root = buildMerkleTree(commitments.map(hexToBytes)).rootHex;
    return { vault_id: id, as_of_seq, commitments, root };
  }

  async #execute(req: ExecuteRequest): Promise<ExecuteReply> {
    await this.#opts.priority?.giveWay();
    // A query aggregates Vaults of other nodes too: their partials come sealed to this node's enclave.
    const isQuery = req.envelope.spec.kind === 'query';
    const foreign = req.envelope.targets.vault_ids.find((v) => !this.#opts.vaults.some((x) => x.vault_id === v));
    try {
      if (foreign && !isQuery) throw new ExecutionRefused('vault_not_hosted');
      const reply = isQuery ? await executeQueryTask(this.#ctx, this.#query!, req) : await executeTask(this.#ctx, req);
      await this.#evidence.put(reply.receipt.transcript_hash, reply.transcript, reply.receipt, reply.aggregation);
      return reply;
    } catch (error) {
      if (!(error instanceof ExecutionRefused)) throw error;
      const receipt = await failureReceipt(this.#ctx, req, error.code);
      return { receipt, output: { failure_code: error.code }, transcript: undefined as never };
    }
  }

  /** A stored sealed transcript with a query's aggregation transcript: what a verifier checks. */
  async #transcript(req: TranscriptRequest): Promise<TranscriptReply> {
    const found = await this.#evidence.withAggregation(req.transcript_hash);
    if (!found) throw new PortError('evidence_missing', `no transcript ${req.transcript_hash} on ${this.nodeId}`);
    return found;
  }

  /**
   * Replays an execution from its stored transcript (same snapshots, same program) and reports the
   * hashes, with the original sealed transcript so the verifier can check its attestation.
   */
  async #reexecute(req: ReexecuteRequest): Promise<ReexecuteReply> {
    await this.#opts.priority?.giveWay();
    const sealed = await this.#evidence.transcript(req.receipt.transcript_hash);
    if (!sealed)
      throw new PortError('evidence_missing', `no transcript ${req.receipt.transcript_hash} on ${this.nodeId}`);
    const original = sealed.transcript;
    if (req.envelope.spec.kind === 'query')
      return reexecuteQuery(this.#query!, { ...req, attempt: req.receipt.attempt }, original.inputs, sealed);
    if (req.envelope.spec.kind === 'train') {
      if (!this.#train) throw new PortError('train_not_available', `${this.nodeId} runs no Train enclave`);
      return this.#train.reexecute(req, sealed);
    }
    const run = await computeOutput(
      this.#ctx,
      req.envelope,
      req.envelope_hash,
      req.receipt.attempt,
      req.resolution,
      req.policy.k_min,
      original.inputs,
    );
    return { output_hash: run.output_hash, transcript_hash: run.transcript_hash, sealed };
  }

  async close(): Promise<void> {
    this.#stopListening?.();
    await this.#publishing;
    for (const s of this.#subscriptions.splice(0)) await s.unsubscribe();
    await this.#ocr.close();
    await this.follower.stop();
  }
}

/** The keyring name of a node's signing key. */
export const keyNameOf = (nodeId: string) => nodeId.replaceAll('_', '-');
/** The keyring name of the key of a node's simulated enclave (separate from the node key). */
export const enclaveKeyNameOf = (nodeId: string) => `${keyNameOf(nodeId)}.enclave`;
