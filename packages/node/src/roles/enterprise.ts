/**
 * The enterprise role: Vaults (records, evidence) and the execution runtime next to them. It
 * answers masters on the bus; plaintext never leaves this node: replies carry aggregates,
 * commitments and signatures only.
 */
import { buildMerkleTree, digestBytes, domainHash, hexToBytes, type SemanticDomain } from '@symphony/protocol';
import { EvidenceStore, evidenceMigrations } from '../data/evidence-store.ts';
import { schemaOf } from '../data/sql-names.ts';
import { firstRecordProblem } from '../data/validate-records.ts';
import { loadVaultMasterSecret } from '../data/vault-crypto.ts';
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
  type ExecutionContext,
  ExecutionRefused,
  executeTask,
  failureReceipt,
} from '../execution/execute-task.ts';
import type { Bus, Subscription } from '../ports/bus.ts';
import { PortError } from '../ports/errors.ts';
import type { Keyring } from '../ports/keyring.ts';
import type { Store } from '../ports/store.ts';
import {
  type ExecuteReply,
  type ExecuteRequest,
  enterpriseSubjects,
  type IngestReply,
  type IngestRequest,
  type ReexecuteReply,
  type ReexecuteRequest,
  type StatusReply,
  type UploadReply,
  type UploadRequest,
  type VaultReply,
  type VaultRequest,
} from '../wire/enterprise-rpc.ts';

/** A hosted Vault: its declared domain (the mapping records are validated against) and its limits. */
export type EnterpriseVault = { vault_id: string; domain: SemanticDomain; limits?: Partial<VaultLimits> };

export type EnterpriseOptions = {
  nodeId: string;
  /** The account that operates this node and its Vaults. */
  operator: string;
  store: Store;
  bus: Bus;
  keyring: Keyring;
  vaults: readonly EnterpriseVault[];
};

export class EnterpriseNode {
  readonly nodeId: string;
  readonly #opts: EnterpriseOptions;
  readonly #records: VaultRecords;
  readonly #ingestion: VaultIngest;
  readonly #evidence: EvidenceStore;
  readonly #subscriptions: Subscription[] = [];
  readonly #ctx: ExecutionContext;

  private constructor(opts: EnterpriseOptions, master: Uint8Array) {
    this.nodeId = opts.nodeId;
    this.#opts = opts;
    const schema = schemaOf(opts.nodeId);
    const limits = new Map(opts.vaults.map((v) => [v.vault_id, { ...DEFAULT_VAULT_LIMITS, ...v.limits }]));
    this.#records = new VaultRecords(opts.store, schema, master, (id) => limits.get(id) ?? DEFAULT_VAULT_LIMITS);
    this.#ingestion = new VaultIngest(this.#records, (id) => opts.vaults.find((v) => v.vault_id === id)?.domain);
    this.#evidence = new EvidenceStore(opts.store, schema);
    this.#ctx = {
      nodeId: opts.nodeId,
      operator: opts.operator,
      keyName: keyNameOf(opts.nodeId),
      keyring: opts.keyring,
      records: this.#records,
    };
  }

  /** Migrates this node's schema, makes sure its key exists, and starts answering on the bus. */
  static async start(opts: EnterpriseOptions): Promise<EnterpriseNode> {
    const schema = schemaOf(opts.nodeId);
    await opts.store.migrate([...vaultRecordMigrations(schema), ...evidenceMigrations(schema)]);
    await opts.keyring.ensureKey(keyNameOf(opts.nodeId));
    const node = new EnterpriseNode(opts, await loadVaultMasterSecret(opts.keyring, keyNameOf(opts.nodeId)));
    await node.#records.dropInterruptedUploads();
    const subjects = enterpriseSubjects(opts.nodeId);
    node.#subscriptions.push(
      await opts.bus.serve(subjects.ingest, (p) => node.#ingest(p as IngestRequest)),
      await opts.bus.serve(subjects.execute, (p) => node.#execute(p as ExecuteRequest)),
      await opts.bus.serve(subjects.reexecute, (p) => node.#reexecute(p as ReexecuteRequest)),
      await opts.bus.serve(subjects.status, () => node.status()),
      await opts.bus.serve(subjects.upload, (p) => node.#upload(p as UploadRequest)),
      await opts.bus.serve(subjects.vault, (p) => node.#vault(p as VaultRequest)),
    );
    return node;
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

  async #ingest(req: IngestRequest): Promise<IngestReply> {
    const vault = this.#opts.vaults.find((v) => v.vault_id === req.vault_id);
    if (!vault) throw new PortError('unknown_vault', `vault ${req.vault_id} is not hosted by ${this.nodeId}`);
    const problem = firstRecordProblem(vault.domain, req.records);
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
    // Retention is enforced when a snapshot is taken: expired records are deleted (with an audit event) first.
    if (req.op === 'snapshot') await this.#records.purgeExpired(id, Date.now());
    const as_of_seq = await this.#records.head(id);
    const commitments = await this.#records.commitments(id, as_of_seq);
    const root = buildMerkleTree(commitments.map(hexToBytes)).rootHex;
    if (req.op === 'commitments') return { vault_id: id, as_of_seq, commitments, root };
    const body = {
      vault_id: id,
      node_id: this.nodeId,
      epoch_id: req.epoch_id,
      record_count: commitments.length,
      commitments_root: root,
    };
    const signature = await this.#opts.keyring.sign(
      keyNameOf(this.nodeId),
      digestBytes(domainHash('scp/v1/vault-snapshot', body)),
    );
    await this.#records.recordSnapshot(id, req.epoch_id, commitments.length, root);
    return { ...body, signature };
  }

  async #execute(req: ExecuteRequest): Promise<ExecuteReply> {
    const foreign = req.envelope.targets.vault_ids.find((v) => !this.#opts.vaults.some((x) => x.vault_id === v));
    try {
      if (foreign) throw new ExecutionRefused('vault_not_hosted');
      const reply = await executeTask(this.#ctx, req);
      await this.#evidence.put(reply.receipt.transcript_hash, reply.transcript, reply.receipt);
      return reply;
    } catch (error) {
      if (!(error instanceof ExecutionRefused)) throw error;
      const receipt = await failureReceipt(this.#ctx, req, error.code);
      return { receipt, output: { failure_code: error.code }, transcript: undefined as never };
    }
  }

  /** Replays an execution from its stored transcript (same snapshots, same program) and reports the hashes. */
  async #reexecute(req: ReexecuteRequest): Promise<ReexecuteReply> {
    const original = await this.#evidence.transcript(req.receipt.transcript_hash);
    if (!original)
      throw new PortError('evidence_missing', `no transcript ${req.receipt.transcript_hash} on ${this.nodeId}`);
    const run = await computeOutput(
      this.#ctx,
      req.envelope,
      req.envelope_hash,
      req.receipt.attempt,
      req.resolution,
      req.policy.k_min,
      original.inputs,
    );
    return {
      output_hash: run.transcript.output_hash,
      transcript_hash: domainHash('scp/v1/execution-transcript', run.transcript),
    };
  }

  async close(): Promise<void> {
    for (const s of this.#subscriptions.splice(0)) await s.unsubscribe();
  }
}

/** The keyring name of a node's signing key. */
export const keyNameOf = (nodeId: string) => nodeId.replaceAll('_', '-');
