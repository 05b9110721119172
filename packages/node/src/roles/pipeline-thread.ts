/**
 * The embedded network's pipeline on a second thread: a `worker_threads` worker runs some of the
 * network's nodes (by default the two non-coordinating masters and the enterprise nodes) with
 * their own PGlite store, while the coordinating master (API, admission, log writer, the SQL
 * protocol log) stays on the main thread. The worker reaches the main thread's log and broker
 * through `ThreadProtocolLog` and `ThreadBus`; keys reach it as a data folder (`FileKeyring`)
 * or as exported key bytes (`MemoryKeyring`), never over the bus.
 */
import type { EventLoopUtilization } from 'node:perf_hooks';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { EnclaveRegistration } from '@symphony/protocol';
import { FileKeyring } from '../adapters/file-keyring.ts';
import type { MemoryBroker } from '../adapters/memory-bus.ts';
import { type ExportedKey, MemoryKeyring } from '../adapters/memory-keyring.ts';
import { fromWire, type WireError } from '../adapters/port-calls.ts';
import { type ServedBus, serveBus, serveRouteInterest } from '../adapters/thread-bus.ts';
import { type ServedProtocolLog, serveProtocolLog } from '../adapters/thread-protocol-log.ts';
import type { AdmissionPriority } from '../coordination/admission-priority.ts';
import type { Backoff } from '../coordination/retry.ts';
import type { VaultLimits } from '../data/vault-records.ts';
import type { Keyring } from '../ports/keyring.ts';
import type { ProtocolLog } from '../ports/protocol-log.ts';
import type { AttestationPolicy } from '../verification/attestation-verifier.ts';
import type { Topology } from './network-topology.ts';

/** Where the worker's PGlite lives: a data folder, or in memory (optionally from a dumped data folder). */
export type PipelineStore = { readonly dataDir: string } | { readonly loadDataDir?: Blob };

/** What the worker is told at start (structured-cloned: plain data only). */
export type PipelineWorkerData = {
  topology: Topology;
  masters: string[];
  enterprises: string[];
  store: { dataDir: string } | { template?: ArrayBuffer };
  keyring: { kind: 'file'; dataDir: string } | { kind: 'memory'; keys: ExportedKey[] };
  pollIntervalMs?: number;
  requestTimeoutMs?: number;
  backoff?: Backoff;
  attestationPolicy?: AttestationPolicy;
  vaultLimits?: Partial<VaultLimits>;
  /** The worker's nodes use a `ManualClock` stopped at this time instead of the system clock. */
  frozenClockMs?: number;
  logPort: MessagePort;
  busPorts: Record<string, MessagePort>;
  /** The main broker's routes other than the worker's own (`serveRouteInterest`), for its local routes. */
  routesPort: MessagePort;
};

/** A worker master's progress, reported as it folds the log. */
export type RemoteMasterReport = {
  node_id: string;
  /** The seq of the last entry it folded (-1 before any). */
  log_position: number;
  /** Its log writer's entries appended, group commits and conflicts. */
  appended: number;
  commits: number;
  conflicts: number;
};

/** Messages from the worker. */
export type PipelineWorkerMessage =
  | {
      type: 'ready';
      publicKeys: Record<string, string>;
      enclaves: Record<string, EnclaveRegistration[]>;
      keys?: ExportedKey[];
      osThreadId?: number;
    }
  | { type: 'progress'; masters: RemoteMasterReport[] }
  | { type: 'error'; what: string; error: WireError }
  | { type: 'failed'; error: WireError }
  | { type: 'closed' };

/** Options of `startPipelineThread`. */
export type PipelineThreadOptions = {
  topology: Topology;
  /** Node ids of the masters the worker runs (never the coordinator). */
  masters: readonly string[];
  /** Node ids of the enterprise nodes the worker runs. */
  enterprises: readonly string[];
  store: PipelineStore;
  /** A `FileKeyring` (the worker opens the same folder) or a `MemoryKeyring` (keys copied both ways). */
  keyring: Keyring;
  /** The main thread's log and broker the worker's nodes use. */
  log: ProtocolLog;
  broker: MemoryBroker;
  /** Admissions first on the main thread: the worker's appends give way to running admissions (bounded). */
  priority?: AdmissionPriority;
  onError?: (what: string, error: unknown) => void;
  pollIntervalMs?: number;
  requestTimeoutMs?: number;
  backoff?: Backoff;
  attestationPolicy?: AttestationPolicy;
  vaultLimits?: Partial<VaultLimits>;
  /** The worker's nodes use a `ManualClock` stopped at this time instead of the system clock. */
  frozenClockMs?: number;
};

/** The running worker. */
export type PipelineThread = {
  /** Public node keys of the worker's nodes. */
  readonly publicKeys: ReadonlyMap<string, string>;
  /** Enclave registrations of the worker's enterprise nodes. */
  readonly enclaves: ReadonlyMap<string, EnclaveRegistration[]>;
  /** The latest progress report of each worker master. */
  readonly masters: ReadonlyMap<string, RemoteMasterReport>;
  /** The worker thread's id as the OS knows it (Linux: its CPU time is in `/proc/self/task/<id>/stat`). */
  readonly osThreadId: number | undefined;
  /** The worker's event loop utilization since it started (or since `since`), as `performance.eventLoopUtilization`. */
  utilization(since?: EventLoopUtilization): EventLoopUtilization;
  /** Starts the worker masters' work (after genesis). */
  run(): void;
  /** Closes the worker's nodes and store, then terminates it and releases the served ports. */
  close(): Promise<void>;
};

/** The owner the worker's routes carry in the main thread's broker. */
const PIPELINE_OWNER = 'pipeline-thread';

const WORKER_ENTRY = new URL('./pipeline-worker.ts', import.meta.url).href;

/**
 * The worker loads TypeScript sources as the main thread does: through tsx, registered in the
 * worker before its entry is imported.
 */
function bootstrap(): string {
  const tsx = import.meta.resolve('tsx/esm/api');
  return `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(WORKER_ENTRY)}); })`;
}

/** Starts the worker, waits until its nodes are up and have folded the log, and returns it. */
export async function startPipelineThread(opts: PipelineThreadOptions): Promise<PipelineThread> {
  const keyring =
    opts.keyring instanceof FileKeyring
      ? { kind: 'file' as const, dataDir: opts.keyring.keysDir.replace(/[/\\]keys$/, '') }
      : opts.keyring instanceof MemoryKeyring
        ? { kind: 'memory' as const, keys: opts.keyring.exportKeys() }
        : undefined;
  if (!keyring) throw new RangeError('a pipeline thread needs a FileKeyring or a MemoryKeyring');
  const store =
    'dataDir' in opts.store
      ? { dataDir: opts.store.dataDir }
      : opts.store.loadDataDir
        ? { template: await opts.store.loadDataDir.arrayBuffer() }
        : {};
  const served: (ServedProtocolLog | ServedBus)[] = [];
  const log = new MessageChannel();
  const priority = opts.priority;
  served.push(serveProtocolLog(opts.log, log.port1, priority ? { beforeAppend: () => priority.giveWay() } : {}));
  // Messages between the worker's own nodes stay in the worker (`LocalRoutes`): the worker learns
  // which routes the main thread's broker holds besides its own and routes the rest itself.
  const busPorts: Record<string, MessagePort> = {};
  for (const id of [...opts.masters, ...opts.enterprises]) {
    const channel = new MessageChannel();
    served.push(serveBus(opts.broker, channel.port1, { owner: PIPELINE_OWNER }));
    busPorts[id] = channel.port2;
  }
  const routes = new MessageChannel();
  served.push(serveRouteInterest(opts.broker, routes.port1, PIPELINE_OWNER));
  const data: PipelineWorkerData = {
    topology: opts.topology,
    masters: [...opts.masters],
    enterprises: [...opts.enterprises],
    store,
    keyring,
    ...(opts.pollIntervalMs ? { pollIntervalMs: opts.pollIntervalMs } : {}),
    ...(opts.requestTimeoutMs ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
    ...(opts.backoff ? { backoff: opts.backoff } : {}),
    ...(opts.attestationPolicy ? { attestationPolicy: opts.attestationPolicy } : {}),
    ...(opts.vaultLimits ? { vaultLimits: opts.vaultLimits } : {}),
    ...(opts.frozenClockMs !== undefined ? { frozenClockMs: opts.frozenClockMs } : {}),
    logPort: log.port2,
    busPorts,
    routesPort: routes.port2,
  };
  const worker = new Worker(bootstrap(), {
    eval: true,
    workerData: data,
    transferList: [log.port2, routes.port2, ...Object.values(busPorts)],
  });
  const masters = new Map<string, RemoteMasterReport>();
  let exited = false;
  let closing = false;
  let onClosed: (() => void) | undefined;
  const exit = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const releaseServed = async () => {
    for (const s of served.splice(0)) await s.close();
  };
  const ready = new Promise<Extract<PipelineWorkerMessage, { type: 'ready' }>>((resolve, reject) => {
    worker.on('message', (m: PipelineWorkerMessage) => {
      switch (m.type) {
        case 'ready':
          resolve(m);
          break;
        case 'progress':
          for (const r of m.masters) masters.set(r.node_id, r);
          break;
        case 'error':
          opts.onError?.(m.what, fromWire(m.error));
          break;
        case 'failed':
          reject(fromWire(m.error));
          opts.onError?.('pipeline worker', fromWire(m.error));
          onClosed?.();
          break;
        case 'closed':
          onClosed?.();
          break;
      }
    });
    worker.on('error', (error) => {
      reject(error);
      opts.onError?.('pipeline worker', error);
    });
    void exit.then(() => {
      exited = true;
      onClosed?.();
      const error = new Error('the pipeline worker exited');
      reject(error);
      if (!closing) opts.onError?.('pipeline worker', error);
    });
  });
  let started: Extract<PipelineWorkerMessage, { type: 'ready' }>;
  try {
    started = await ready;
  } catch (error) {
    await worker.terminate();
    await releaseServed();
    throw error;
  }
  if (started.keys && opts.keyring instanceof MemoryKeyring) opts.keyring.importKeys(started.keys);
  let closed: Promise<void> | undefined;
  return {
    publicKeys: new Map(Object.entries(started.publicKeys)),
    enclaves: new Map(Object.entries(started.enclaves)),
    masters,
    osThreadId: started.osThreadId,
    utilization: (since) => worker.performance.eventLoopUtilization(since),
    run() {
      worker.postMessage({ type: 'run' });
    },
    close() {
      closed ??= (async () => {
        closing = true;
        if (!exited) {
          const done = new Promise<void>((resolve) => {
            onClosed = resolve;
          });
          worker.postMessage({ type: 'close' });
          await done;
        }
        await worker.terminate();
        await exit;
        await releaseServed();
      })();
      return closed;
    },
  };
}
