/**
 * A whole network in one process: 3 masters and the enterprise nodes of a topology, each with its
 * own schema in one store, the protocol log as a table of that store, messages on an in-memory
 * broker. A fresh log is bootstrapped with genesis and the node and Vault registrations; an
 * existing one is folded again, and every unfinished task resumes.
 */
import type { EnclaveRegistration } from '@symphony/protocol';
import { ManualClock } from '../adapters/manual-clock.ts';
import { MemoryBroker, MemoryBus } from '../adapters/memory-bus.ts';
import { SqlProtocolLog } from '../adapters/sql-protocol-log.ts';
import { SystemClock } from '../adapters/system-clock.ts';
import { PIPELINE_THREAD_BACKLOG } from '../application/master-service.ts';
import { AdmissionPriority } from '../coordination/admission-priority.ts';
import type { Backoff } from '../coordination/retry.ts';
import type { VaultLimits } from '../data/vault-records.ts';
import type { ExecutionFault } from '../execution/execute-task.ts';
import type { AggregationFault } from '../execution/query/query-runtime.ts';
import type { AggregationEnclave, AggregationEnclaveOptions } from '../execution/train/aggregation-enclave.ts';
import type { Anchor } from '../ports/anchor.ts';
import type { Bus } from '../ports/bus.ts';
import type { Clock } from '../ports/clock.ts';
import type { Keyring } from '../ports/keyring.ts';
import type { Store } from '../ports/store.ts';
import type { TeeProvider } from '../ports/tee-provider.ts';
import type { AttestationPolicy } from '../verification/attestation-verifier.ts';
import { EnterpriseNode } from './enterprise.ts';
import { MasterNode } from './master.ts';
import { EMBEDDED_TOPOLOGY, genesisEvents, type Topology, type TopologyActor } from './network-topology.ts';
import { type PipelineStore, type PipelineThread, startPipelineThread } from './pipeline-thread.ts';

export type EmbeddedNetworkOptions = {
  store: Store;
  keyring: Keyring;
  topology?: Topology;
  /** Actors to register at bootstrap (see `Topology.actors`); with any, identity is enforced. */
  actors?: TopologyActor[];
  /** Open tasks one submitter may have (admission quota). */
  openTaskQuota?: number;
  /**
   * Tasks in the pipeline past which admission answers 503 (default `DEFAULT_PIPELINE_BACKLOG`, or
   * `PIPELINE_THREAD_BACKLOG` when a pipeline thread runs the enterprise nodes).
   */
  pipelineBacklog?: number;
  clock?: Clock;
  /**
   * How often followers poll the log when nothing wakes them (default 1 s): appends through the
   * shared log wake its followers at once, so polling is only a safety net.
   */
  pollIntervalMs?: number;
  requestTimeoutMs?: number;
  backoff?: Backoff;
  onError?: (what: string, error: unknown) => void;
  onProgress?: (step: string) => void;
  /** The attestation policy the masters' verifiers apply (default: development, simulated allowed). */
  attestationPolicy?: AttestationPolicy;
  /** The enclave of each enterprise node (default: a simulated enclave keyed in `keyring`). */
  teeFor?: (nodeId: string) => Promise<TeeProvider>;
  /** The in-memory broker the nodes talk through (tests pass one to observe every message). */
  broker?: MemoryBroker;
  /** Limits applied to every Vault (size, per-producer quota, retention); defaults otherwise. */
  vaultLimits?: Partial<VaultLimits>;
  /** A node's Train aggregation enclave (tests substitute a dishonest one); undefined: the real one. */
  aggregationEnclaveFor?: (nodeId: string) => ((opts: AggregationEnclaveOptions) => AggregationEnclave) | undefined;
  /** Test-only: a compromised enclave's tampering per enterprise node (see `ExecutionFault`). */
  faultFor?: (nodeId: string) => ExecutionFault | undefined;
  /** Test-only: a compromised query aggregation enclave per enterprise node (see `AggregationFault`). */
  aggregationFaultFor?: (nodeId: string) => AggregationFault | undefined;
  /** The bus each node talks through (default: a client of the in-memory broker); e.g. a NATS connection per node. */
  busFor?: (nodeId: string) => Promise<Bus>;
  /** The anchor of each master (default: its local anchor ledger); undefined keeps the default. */
  anchorFor?: (nodeId: string) => Promise<Anchor | undefined>;
  /**
   * The admissions-first gate of this thread's nodes (default: a new `AdmissionPriority`). With a
   * pipeline thread running enterprise nodes, the coordinator's lifecycle steps do not wait on it.
   */
  admissionPriority?: AdmissionPriority;
  /**
   * Runs part of the network in a worker thread (see `pipeline-thread.ts`) with its own store, so
   * the pipeline gets a second core: by default the masters other than the coordinator and every
   * enterprise node. The keyring must be a `FileKeyring` or a `MemoryKeyring`; the test hooks that
   * are functions (`teeFor`, `faultFor`, `aggregationFaultFor`, `aggregationEnclaveFor`,
   * `busFor`, `anchorFor`) cannot cross threads. A `ManualClock` is copied to the worker frozen at
   * its time when the network opens (the worker's nodes do not see it move); any other clock than
   * the system clock is refused.
   */
  pipelineThread?: {
    store: PipelineStore;
    /** Node ids of the masters the worker runs (default: every master but the coordinator). */
    masters?: readonly string[];
    /** Node ids of the enterprise nodes the worker runs (default: all of them). */
    enterprises?: readonly string[];
  };
};

export type EmbeddedNetwork = {
  topology: Topology;
  masters: MasterNode[];
  /** The master that coordinates lifecycles and answers the API. */
  coordinator: MasterNode;
  enterprises: EnterpriseNode[];
  /**
   * The worker thread running the rest of the network, when `pipelineThread` was given (`masters`
   * and `enterprises` then hold only this thread's nodes).
   */
  pipeline?: PipelineThread;
  close(): Promise<void>;
};

export async function openEmbeddedNetwork(opts: EmbeddedNetworkOptions): Promise<EmbeddedNetwork> {
  const base = opts.topology ?? EMBEDDED_TOPOLOGY;
  const topology: Topology = opts.actors ? { ...base, actors: [...(base.actors ?? []), ...opts.actors] } : base;
  const clock = opts.clock ?? new SystemClock();
  const progress = opts.onProgress ?? (() => {});
  const broker = opts.broker ?? new MemoryBroker();
  const busOf = async (nodeId: string): Promise<Bus> =>
    opts.busFor
      ? opts.busFor(nodeId)
      : new MemoryBus({
          broker,
          ...(opts.onError ? { onHandlerError: (e: unknown, s: string) => opts.onError?.(`bus ${s}`, e) } : {}),
        });
  const log = await SqlProtocolLog.open({
    store: opts.store,
    table: 'network_log',
    // Every append goes through this log (or notifies it), so polling is only the safety net.
    pollIntervalMs: opts.pollIntervalMs ?? 1000,
  });
  // One thread runs every node: admissions go first across all of them (see AdmissionPriority).
  const priority = opts.admissionPriority ?? new AdmissionPriority();
  const domainOf = new Map(topology.semantic_domains.map((d) => [d.domain, d]));
  const pipeline = opts.pipelineThread ? await startPipeline(opts, topology, log, broker, priority) : undefined;
  const remote = new Set(pipeline?.publicKeys.keys());
  const remoteEnterprises = topology.enterprises.some((e) => remote.has(e.node_id));
  // Two threads drain a backlog of 256 before 503'd clients come back (see PIPELINE_THREAD_BACKLOG).
  const pipelineBacklog = opts.pipelineBacklog ?? (pipeline && remoteEnterprises ? PIPELINE_THREAD_BACKLOG : undefined);

  progress('starting enterprise nodes');
  const buses: Bus[] = [];
  const enterprises: EnterpriseNode[] = [];
  for (const e of topology.enterprises) {
    if (remote.has(e.node_id)) continue;
    const bus = await busOf(e.node_id);
    buses.push(bus);
    enterprises.push(
      await EnterpriseNode.start({
        nodeId: e.node_id,
        operator: e.operator,
        store: opts.store,
        bus,
        keyring: opts.keyring,
        log,
        priority,
        ...(opts.pollIntervalMs ? { pollIntervalMs: opts.pollIntervalMs } : {}),
        ...(opts.teeFor ? { tee: await opts.teeFor(e.node_id) } : {}),
        ...(opts.aggregationEnclaveFor?.(e.node_id)
          ? { aggregationEnclave: opts.aggregationEnclaveFor(e.node_id)! }
          : {}),
        ...(opts.faultFor?.(e.node_id) ? { fault: opts.faultFor(e.node_id)! } : {}),
        ...(opts.aggregationFaultFor?.(e.node_id) ? { aggregationFault: opts.aggregationFaultFor(e.node_id)! } : {}),
        clock,
        ...(opts.onError ? { onError: opts.onError } : {}),
        vaults: e.vault_ids.map((vault_id) => ({
          vault_id,
          domain: domainOf.get('commerce.receipt') ?? topology.semantic_domains[0]!,
          approved_programs: e.approved_programs?.[vault_id] ?? [],
          ...(opts.vaultLimits ? { limits: opts.vaultLimits } : {}),
        })),
      }),
    );
  }

  progress('starting masters and folding the protocol log');
  const masters: MasterNode[] = [];
  for (const [i, m] of topology.masters.entries()) {
    if (remote.has(m.node_id)) continue;
    const bus = await busOf(m.node_id);
    buses.push(bus);
    const anchor = await opts.anchorFor?.(m.node_id);
    masters.push(
      await MasterNode.open({
        nodeId: m.node_id,
        operator: m.operator,
        store: opts.store,
        log,
        bus,
        keyring: opts.keyring,
        clock,
        coordinator: i === 0,
        priority,
        // The coordinator's steps feed the worker's enterprise nodes: held back during admission
        // bursts they would leave the worker idle (bench/RESULTS.md sections 28 and 35).
        ...(pipeline && remoteEnterprises ? { deferLifecycleSteps: false } : {}),
        ...(opts.openTaskQuota ? { openTaskQuota: opts.openTaskQuota } : {}),
        ...(pipelineBacklog ? { pipelineBacklog } : {}),
        peers: () => [
          ...masters.map((x) => ({ node_id: x.nodeId, log_position: x.follower.state.head?.seq ?? -1 })),
          ...[...(pipeline?.masters.values() ?? [])].map((x) => ({ node_id: x.node_id, log_position: x.log_position })),
        ],
        ...(opts.pollIntervalMs ? { pollIntervalMs: opts.pollIntervalMs } : {}),
        ...(opts.requestTimeoutMs ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
        ...(opts.backoff ? { backoff: opts.backoff } : {}),
        ...(opts.onError ? { onError: opts.onError } : {}),
        ...(opts.attestationPolicy ? { attestationPolicy: opts.attestationPolicy } : {}),
        ...(anchor ? { anchor } : {}),
      }),
    );
  }
  const coordinator = masters[0]!;

  if (coordinator.follower.state.head === null) {
    progress('writing genesis');
    const keys = new Map<string, string>();
    for (const n of [...topology.masters, ...topology.enterprises])
      keys.set(n.node_id, (await opts.keyring.ensureKey(n.node_id.replaceAll('_', '-'))).publicKeyHex);
    const enclaves = new Map<string, EnclaveRegistration[]>();
    for (const e of enterprises) enclaves.set(e.nodeId, [await e.enclave()]);
    for (const [id, registered] of pipeline?.enclaves ?? []) enclaves.set(id, registered);
    for (const event of genesisEvents(topology, keys, enclaves)) {
      const result = await coordinator.writer.append(event);
      if (result.kind !== 'applied') throw new Error(`bootstrap ${event.type} refused: ${result.refusal.message}`);
    }
  }
  for (const m of masters) m.run();
  pipeline?.run();

  return {
    topology,
    masters,
    coordinator,
    enterprises,
    ...(pipeline ? { pipeline } : {}),
    async close() {
      for (const m of masters) await m.close();
      for (const e of enterprises) await e.close();
      await pipeline?.close();
      for (const b of buses) await b.close();
      await log.close();
    },
  };
}

/** Starts the pipeline worker of `opts.pipelineThread`, refusing options that cannot cross threads. */
async function startPipeline(
  opts: EmbeddedNetworkOptions,
  topology: Topology,
  log: SqlProtocolLog,
  broker: MemoryBroker,
  priority: AdmissionPriority,
): Promise<PipelineThread> {
  const setup = opts.pipelineThread!;
  const hooks = (
    ['teeFor', 'faultFor', 'aggregationFaultFor', 'aggregationEnclaveFor', 'busFor', 'anchorFor'] as const
  ).filter((k) => opts[k] !== undefined);
  const clock = opts.clock;
  if (hooks.length > 0 || (clock && !(clock instanceof SystemClock) && !(clock instanceof ManualClock)))
    throw new RangeError(
      `a pipeline thread cannot take ${[...hooks, 'this clock'].join(', ')}: they cannot cross threads`,
    );
  const coordinator = topology.masters[0]!.node_id;
  const masters = setup.masters ?? topology.masters.slice(1).map((m) => m.node_id);
  if (masters.includes(coordinator)) throw new RangeError('the coordinating master stays on the main thread');
  return startPipelineThread({
    topology,
    masters,
    enterprises: setup.enterprises ?? topology.enterprises.map((e) => e.node_id),
    store: setup.store,
    keyring: opts.keyring,
    log,
    broker,
    priority,
    ...(opts.onError ? { onError: opts.onError } : {}),
    ...(opts.pollIntervalMs ? { pollIntervalMs: opts.pollIntervalMs } : {}),
    ...(opts.requestTimeoutMs ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
    ...(opts.backoff ? { backoff: opts.backoff } : {}),
    ...(opts.attestationPolicy ? { attestationPolicy: opts.attestationPolicy } : {}),
    ...(opts.vaultLimits ? { vaultLimits: opts.vaultLimits } : {}),
    ...(clock instanceof ManualClock ? { frozenClockMs: clock.now() } : {}),
  });
}
