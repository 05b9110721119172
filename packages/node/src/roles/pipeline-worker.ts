/**
 * Entry of the embedded network's pipeline worker (see `pipeline-thread.ts`): opens its own
 * PGlite store and keyring, starts the nodes it was given on the main thread's log and broker,
 * reports their keys and enclaves, then runs them until told to close.
 */
import { readlinkSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { EnclaveRegistration } from '@symphony/protocol';
import { FileKeyring } from '../adapters/file-keyring.ts';
import { ManualClock } from '../adapters/manual-clock.ts';
import { MemoryKeyring } from '../adapters/memory-keyring.ts';
import { PgliteStore } from '../adapters/pglite-store.ts';
import { toWire } from '../adapters/port-calls.ts';
import { SystemClock } from '../adapters/system-clock.ts';
import { LocalRoutes, ThreadBus } from '../adapters/thread-bus.ts';
import { ThreadProtocolLog } from '../adapters/thread-protocol-log.ts';
import type { Bus } from '../ports/bus.ts';
import { EnterpriseNode, keyNameOf } from './enterprise.ts';
import { MasterNode } from './master.ts';
import type { PipelineWorkerData, PipelineWorkerMessage, RemoteMasterReport } from './pipeline-thread.ts';

const port = parentPort!;
const post = (m: PipelineWorkerMessage) => port.postMessage(m);

async function main(data: PipelineWorkerData): Promise<void> {
  const store = await PgliteStore.open(
    'dataDir' in data.store
      ? { dataDir: data.store.dataDir }
      : data.store.template
        ? { loadDataDir: new Blob([data.store.template], { type: 'application/x-gzip' }) }
        : {},
  );
  const memoryKeyring = data.keyring.kind === 'memory' ? new MemoryKeyring() : undefined;
  memoryKeyring?.importKeys(data.keyring.kind === 'memory' ? data.keyring.keys : []);
  const keyring = memoryKeyring ?? new FileKeyring({ dataDir: (data.keyring as { dataDir: string }).dataDir });
  const log = new ThreadProtocolLog(data.logPort, { pollIntervalMs: data.pollIntervalMs ?? 1000 });
  const clock = data.frozenClockMs !== undefined ? new ManualClock(data.frozenClockMs) : new SystemClock();
  const onError = (what: string, error: unknown) => post({ type: 'error', what, error: toWire(error) });
  const topology = data.topology;
  const domainOf = new Map(topology.semantic_domains.map((d) => [d.domain, d]));
  const buses: Bus[] = [];
  // Messages between this worker's nodes are routed here, without crossing to the main thread.
  const local = new LocalRoutes(data.routesPort);
  const busOf = (nodeId: string) => {
    const bus = new ThreadBus(data.busPorts[nodeId]!, { local, onHandlerError: (e, s) => onError(`bus ${s}`, e) });
    buses.push(bus);
    return bus;
  };

  const enterprises: EnterpriseNode[] = [];
  for (const e of topology.enterprises) {
    if (!data.enterprises.includes(e.node_id)) continue;
    enterprises.push(
      await EnterpriseNode.start({
        nodeId: e.node_id,
        operator: e.operator,
        store,
        bus: busOf(e.node_id),
        keyring,
        log,
        ...(data.pollIntervalMs ? { pollIntervalMs: data.pollIntervalMs } : {}),
        clock,
        onError,
        vaults: e.vault_ids.map((vault_id) => ({
          vault_id,
          domain: domainOf.get('commerce.receipt') ?? topology.semantic_domains[0]!,
          approved_programs: e.approved_programs?.[vault_id] ?? [],
          ...(data.vaultLimits ? { limits: data.vaultLimits } : {}),
        })),
      }),
    );
  }
  const masters: MasterNode[] = [];
  for (const m of topology.masters) {
    if (!data.masters.includes(m.node_id)) continue;
    masters.push(
      await MasterNode.open({
        nodeId: m.node_id,
        operator: m.operator,
        store,
        log,
        bus: busOf(m.node_id),
        keyring,
        clock,
        coordinator: false,
        ...(data.pollIntervalMs ? { pollIntervalMs: data.pollIntervalMs } : {}),
        ...(data.requestTimeoutMs ? { requestTimeoutMs: data.requestTimeoutMs } : {}),
        ...(data.backoff ? { backoff: data.backoff } : {}),
        onError,
        ...(data.attestationPolicy ? { attestationPolicy: data.attestationPolicy } : {}),
      }),
    );
  }

  const publicKeys: Record<string, string> = {};
  for (const id of [...data.masters, ...data.enterprises]) publicKeys[id] = await keyring.publicKeyHex(keyNameOf(id));
  const enclaves: Record<string, EnclaveRegistration[]> = {};
  for (const e of enterprises) enclaves[e.nodeId] = [await e.enclave()];
  post({
    type: 'ready',
    publicKeys,
    enclaves,
    ...(memoryKeyring ? { keys: memoryKeyring.exportKeys() } : {}),
    ...osThread(),
  });

  const report = () =>
    post({
      type: 'progress',
      masters: masters.map(
        (m): RemoteMasterReport => ({
          node_id: m.nodeId,
          log_position: m.follower.state.head?.seq ?? -1,
          appended: m.writer.appended,
          commits: m.writer.commits,
          conflicts: m.writer.conflicts,
        }),
      ),
    });
  // Positions go to the main thread as the masters fold (once per event-loop turn at most), so
  // the coordinator's network view is at most one message behind.
  let reporting = false;
  const reportSoon = () => {
    if (reporting) return;
    reporting = true;
    setImmediate(() => {
      reporting = false;
      report();
    });
  };
  const unlisten = masters.map((m) => m.follower.onApplied(reportSoon));
  let closing = false;
  port.on('message', (m: { type: 'run' | 'close' }) => {
    if (m.type === 'run') {
      for (const master of masters) master.run();
      report();
    } else if (m.type === 'close' && !closing) {
      closing = true;
      void (async () => {
        for (const stop of unlisten) stop();
        report();
        for (const master of masters) await master.close();
        for (const e of enterprises) await e.close();
        for (const b of buses) await b.close();
        local.close();
        await log.close();
        await store.close();
        post({ type: 'closed' });
      })().catch((error: unknown) => post({ type: 'failed', error: toWire(error) }));
    }
  });
}

/** This thread's id as the OS knows it (Linux), so its CPU time can be read from /proc. */
function osThread(): { osThreadId?: number } {
  try {
    return { osThreadId: Number(readlinkSync('/proc/thread-self').split('/').at(-1)) };
  } catch {
    return {};
  }
}

main(workerData as PipelineWorkerData).catch((error: unknown) => post({ type: 'failed', error: toWire(error) }));
