/**
 * The enterprise role: Vaults (records, evidence) and the execution runtime next to them. It
 * answers masters on the bus; plaintext never leaves this node: replies carry aggregates,
 * commitments and signatures only.
 */
import type { EnclaveRegistration, SemanticDomain } from '@symphony/protocol';
import { SimulatedTeeProvider } from '../adapters/simulated-tee.ts';
import { EvidenceStore, evidenceMigrations } from '../data/evidence-store.ts';
import { schemaOf } from '../data/sql-names.ts';
import { firstRecordProblem } from '../data/validate-records.ts';
import { VaultRecords, vaultRecordMigrations } from '../data/vault-records.ts';
import {
  computeOutput,
  EXECUTOR_MEASUREMENT,
  type ExecutionContext,
  ExecutionRefused,
  executeTask,
  failureReceipt,
} from '../execution/execute-task.ts';
import type { Bus, Subscription } from '../ports/bus.ts';
import { PortError } from '../ports/errors.ts';
import type { Keyring } from '../ports/keyring.ts';
import type { Store } from '../ports/store.ts';
import type { TeeProvider } from '../ports/tee-provider.ts';
import {
  type ExecuteReply,
  type ExecuteRequest,
  enterpriseSubjects,
  type IngestReply,
  type IngestRequest,
  type ReexecuteReply,
  type ReexecuteRequest,
  type StatusReply,
} from '../wire/enterprise-rpc.ts';

export type EnterpriseVault = { vault_id: string; domain: SemanticDomain };

export type EnterpriseOptions = {
  nodeId: string;
  /** The account that operates this node and its Vaults. */
  operator: string;
  store: Store;
  bus: Bus;
  keyring: Keyring;
  vaults: readonly EnterpriseVault[];
  /** The enclave executions run in; by default a simulated (software) enclave keyed in `keyring`. */
  tee?: TeeProvider;
  /** Production flag: a simulated enclave is then refused at start. */
  production?: boolean;
};

export class EnterpriseNode {
  readonly nodeId: string;
  readonly #opts: EnterpriseOptions;
  readonly #records: VaultRecords;
  readonly #evidence: EvidenceStore;
  readonly #subscriptions: Subscription[] = [];
  readonly #ctx: ExecutionContext;

  private constructor(opts: EnterpriseOptions, tee: TeeProvider) {
    this.nodeId = opts.nodeId;
    this.#opts = opts;
    const schema = schemaOf(opts.nodeId);
    this.#records = new VaultRecords(opts.store, schema);
    this.#evidence = new EvidenceStore(opts.store, schema);
    this.#ctx = {
      nodeId: opts.nodeId,
      operator: opts.operator,
      keyName: keyNameOf(opts.nodeId),
      keyring: opts.keyring,
      records: this.#records,
      tee,
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
    const node = new EnterpriseNode(opts, tee);
    const schema = schemaOf(opts.nodeId);
    await opts.store.migrate([...vaultRecordMigrations(schema), ...evidenceMigrations(schema)]);
    await opts.keyring.ensureKey(keyNameOf(opts.nodeId));
    const subjects = enterpriseSubjects(opts.nodeId);
    node.#subscriptions.push(
      await opts.bus.serve(subjects.ingest, (p) => node.#ingest(p as IngestRequest)),
      await opts.bus.serve(subjects.execute, (p) => node.#execute(p as ExecuteRequest)),
      await opts.bus.serve(subjects.reexecute, (p) => node.#reexecute(p as ReexecuteRequest)),
      await opts.bus.serve(subjects.status, () => node.status()),
    );
    return node;
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

  async #ingest(req: IngestRequest): Promise<IngestReply> {
    const vault = this.#opts.vaults.find((v) => v.vault_id === req.vault_id);
    if (!vault) throw new PortError('unknown_vault', `vault ${req.vault_id} is not hosted by ${this.nodeId}`);
    const problem = firstRecordProblem(vault.domain, req.records);
    if (problem) {
      throw new PortError('invalid_records', `record ${problem.index}: field ${problem.field}: ${problem.reason}`);
    }
    const { accepted, duplicates } = await this.#records.insert(req.vault_id, req.records);
    return { vault_id: req.vault_id, accepted, duplicates, record_count: await this.#records.count(req.vault_id) };
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

  /**
   * Replays an execution from its stored transcript (same snapshots, same program) and reports the
   * hashes, with the original sealed transcript so the verifier can check its attestation.
   */
  async #reexecute(req: ReexecuteRequest): Promise<ReexecuteReply> {
    const sealed = await this.#evidence.transcript(req.receipt.transcript_hash);
    if (!sealed)
      throw new PortError('evidence_missing', `no transcript ${req.receipt.transcript_hash} on ${this.nodeId}`);
    const original = sealed.transcript;
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
    for (const s of this.#subscriptions.splice(0)) await s.unsubscribe();
  }
}

/** The keyring name of a node's signing key. */
export const keyNameOf = (nodeId: string) => nodeId.replaceAll('_', '-');
/** The keyring name of the key of a node's simulated enclave (separate from the node key). */
export const enclaveKeyNameOf = (nodeId: string) => `${keyNameOf(nodeId)}.enclave`;
