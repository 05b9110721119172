/**
 * One cluster node in its own process: a master (folds the shared JetStream log itself, verifies,
 * signs settlements, and when coordinating drives lifecycles and answers the API) or an enterprise
 * node (its Vaults in its own database, execution next to them). Nothing is shared with other
 * nodes except the JetStream log and NATS messages. Serves `/healthz`, `/readyz` and `/metrics`,
 * logs one structured line per folded entry (seq, type, task and epoch ids), and shuts down
 * gracefully: new requests get 503, running steps finish, unfinished work stays in the log for
 * the next start (work queues are derived from it).
 */

import { readFile } from 'node:fs/promises';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type ProtocolEvent, stateHash } from '@symphony/protocol';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { FileKeyring } from '../adapters/file-keyring.ts';
import { JetStreamProtocolLog } from '../adapters/jetstream-protocol-log.ts';
import { ManualClock } from '../adapters/manual-clock.ts';
import { NatsBus } from '../adapters/nats-bus.ts';
import { PostgresStore } from '../adapters/postgres-store.ts';
import { PrefixedBus } from '../adapters/prefixed-bus.ts';
import { SystemClock } from '../adapters/system-clock.ts';
import { mapError } from '../application/error-mapping.ts';
import { PROMETHEUS_CONTENT_TYPE } from '../application/http-metrics.ts';
import { createHttpServer, DEFAULT_BODY_LIMIT_BYTES } from '../application/http-server.ts';
import type { MasterApi } from '../application/master-api.ts';
import { type StateFollower, taskIdOf } from '../coordination/state-follower.ts';
import { COMMERCE_RECEIPT_V1 } from '../semantic/starter-registry.ts';
import type { ClusterNodeConfig } from './cluster-config.ts';
import { type NodeFigures, nodeFigures, renderNodeMetrics } from './cluster-metrics.ts';
import { EnterpriseNode } from './enterprise.ts';
import { MasterNode } from './master.ts';

/** What `/readyz` answers (and `symphony cluster status` prints). */
export type NodeReadiness = {
  node_id: string;
  role: 'master' | 'enterprise';
  ready: boolean;
  log_position: number;
  log_lag: number;
  current_epoch: number;
  last_finalized_epoch: number;
  checks: Record<string, 'ok' | 'failing'>;
};

export type ClusterNode = {
  readonly config: ClusterNodeConfig;
  readonly url: string;
  readiness(): Promise<NodeReadiness>;
  /** Graceful shutdown (idempotent). */
  close(): Promise<void>;
};

const PROBE_MS = 1500;

/** Starts the node the configuration describes and serves its API. */
export async function startClusterNode(config: ClusterNodeConfig, logger: Logger): Promise<ClusterNode> {
  const log = logger.child({ node_id: config.node_id, role: config.role });
  const store = await PostgresStore.open({
    connectionString: config.database_url,
    onConnectionError: (error) => log.warn({ err: error.message }, 'database connection error'),
  });
  const nc = await connect({
    servers: config.nats_url,
    name: `${config.network}/${config.node_id}`,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  });
  void watchNats(nc, log);
  const plog = await JetStreamProtocolLog.open({ connection: nc, prefix: config.network });
  const bus = new PrefixedBus(
    new NatsBus({
      connection: nc,
      onHandlerError: (error, subject) => log.warn({ subject, err: String(error) }, 'bus handler failed'),
    }),
    config.network,
  );
  const keyring = new FileKeyring({ dataDir: config.identity_dir });
  const clock = config.fixed_clock_ms !== undefined ? new ManualClock(config.fixed_clock_ms) : new SystemClock();
  const onError = (what: string, error: unknown) =>
    log.warn({ what, code: (error as { code?: string }).code ?? String(error) }, 'retrying');

  let follower: StateFollower;
  let api: MasterApi | undefined;
  let closeRole: () => Promise<void>;
  const peerPositions = new Map<string, number>();

  if (config.role === 'master') {
    const master = await MasterNode.open({
      nodeId: config.node_id,
      operator: config.operator,
      store,
      log: plog,
      bus,
      keyring,
      clock,
      coordinator: config.coordinator ?? false,
      requestTimeoutMs: config.request_timeout_ms ?? 10_000,
      onError,
      peers: () => [...peerPositions].map(([node_id, log_position]) => ({ node_id, log_position })),
    });
    follower = master.follower;
    if (config.coordinator && master.follower.state.head === null) {
      if (!config.genesis_file) throw new Error('the coordinating master needs genesis_file to start an empty log');
      const events = JSON.parse(await readFile(config.genesis_file, 'utf8')) as ProtocolEvent[];
      log.info({ events: events.length }, 'writing genesis');
      for (const event of events) {
        const result = await master.writer.append(event);
        if (result.kind !== 'applied') throw new Error(`genesis ${event.type} refused: ${result.refusal.message}`);
      }
    }
    master.run();
    api = master.service;
    closeRole = () => master.close();
  } else {
    const enterprise = await EnterpriseNode.start({
      nodeId: config.node_id,
      operator: config.operator,
      store,
      bus,
      keyring,
      log: plog,
      vaults: (config.vaults ?? []).map((v) => ({
        vault_id: v.vault_id,
        domain: COMMERCE_RECEIPT_V1,
        approved_programs: v.approved_programs ?? [],
      })),
    });
    follower = enterprise.follower;
    closeRole = () => enterprise.close();
  }

  follower.onApplied((entry, outcome) => {
    const task_id = taskIdOf(entry.event);
    log.info(
      {
        seq: entry.seq,
        type: entry.event.type,
        epoch_id: entry.epoch_id,
        ...(task_id ? { task_id } : {}),
        ...('epoch_id' in entry.event ? { event_epoch_id: entry.event.epoch_id } : {}),
        outcome: outcome.kind,
      },
      'folded',
    );
  });

  const figures: NodeFigures = { logHead: -1, lag: 0, checks: {} };
  const probe = async (): Promise<NodeReadiness> => {
    const checks: Record<string, 'ok' | 'failing'> = {};
    checks.database = (await within(store.query('select 1'), PROBE_MS)) ? 'ok' : 'failing';
    checks.nats = !nc.isClosed() && (await within(nc.rtt(), PROBE_MS)) ? 'ok' : 'failing';
    const head = await within(plog.head(), PROBE_MS);
    const position = follower.state.head?.seq ?? -1;
    checks.log = head !== undefined && !follower.failure ? 'ok' : 'failing';
    const lag = head === undefined ? figures.lag : Math.max(0, (head.value?.seq ?? -1) - position);
    if (lag > (config.max_ready_lag ?? 1000)) checks.log_lag = 'failing';
    else checks.log_lag = 'ok';
    if (follower.state.head === null) checks.genesis = 'failing';
    figures.logHead = position;
    figures.lag = lag;
    figures.checks = checks;
    return {
      node_id: config.node_id,
      role: config.role,
      ready: Object.values(checks).every((c) => c === 'ok'),
      log_position: position,
      log_lag: lag,
      current_epoch: follower.state.current_epoch,
      last_finalized_epoch: lastFinalized(follower),
      checks,
    };
  };

  // Peers' log positions for the network view, refreshed in the background.
  const peerTimer = setInterval(() => {
    for (const peer of config.peers ?? []) {
      if (peer.role !== 'master') continue;
      fetch(`${peer.url}/readyz`, { signal: AbortSignal.timeout(1000) })
        .then((r) => r.json() as Promise<NodeReadiness>)
        .then((r) => peerPositions.set(peer.node_id, r.log_position))
        .catch(() => peerPositions.set(peer.node_id, -1));
    }
  }, 1000);
  peerTimer.unref();

  const app: FastifyInstance = api
    ? await createHttpServer(
        withClusterChecks(api, probe, () => renderNodeMetrics(nodeFigures(follower, figures))),
        {
          logger: log,
        },
      )
    : Fastify({ logger: false });
  if (api) drainOversizedBodies(app);
  app.get('/readyz', async (_req, reply) => {
    const r = await probe();
    return reply.code(r.ready ? 200 : 503).send(r);
  });
  // The folded state's hash at this node's log position: two nodes at one position must agree.
  app.get('/statez', async () => ({
    node_id: config.node_id,
    log_position: follower.state.head?.seq ?? -1,
    state_hash: stateHash(follower.state),
  }));
  if (!api) {
    app.get('/healthz', async (_req, reply) => {
      const r = await probe();
      const status = r.ready ? 'ok' : 'degraded';
      return reply.code(r.ready ? 200 : 503).send({ status, log_head: r.log_position, checks: r.checks });
    });
    app.get('/metrics', async (_req, reply) => {
      await probe();
      return reply.type(PROMETHEUS_CONTENT_TYPE).send(renderNodeMetrics(nodeFigures(follower, figures), bus));
    });
  }
  const url = await app.listen({ host: config.listen.host, port: config.listen.port });
  await probe();
  log.info({ url, log_position: follower.state.head?.seq ?? -1 }, 'node started');

  let closing: Promise<void> | undefined;
  return {
    config,
    url,
    readiness: probe,
    close() {
      closing ??= (async () => {
        log.info('shutting down: refusing new requests, finishing running steps');
        clearInterval(peerTimer);
        await app.close();
        await closeRole();
        await bus.close();
        await plog.close();
        await nc.drain().catch(() => nc.close());
        await store.close();
        log.info({ log_position: follower.state.head?.seq ?? -1 }, 'stopped');
      })();
      return closing;
    },
  };
}

/** The master's API with the cluster's dependency checks added to health and its figures to metrics. */
function withClusterChecks(api: MasterApi, probe: () => Promise<NodeReadiness>, extra: () => string): MasterApi {
  const overrides: Partial<MasterApi> = {
    async health() {
      const [base, ready] = await Promise.all([api.health(), probe()]);
      const checks = { ...base.checks, ...ready.checks };
      const ok = Object.values(checks).every((c) => c === 'ok');
      return { status: ok ? 'ok' : 'degraded', log_head: base.log_head, checks };
    },
    metrics() {
      return api.metrics() + extra();
    },
  };
  return new Proxy(api, {
    get(target, prop, receiver) {
      if (prop in overrides) return overrides[prop as keyof MasterApi];
      const value = Reflect.get(target, prop, receiver === undefined ? target : target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * A client on another host is still sending an oversized body when the edge answers 413; closing
 * the socket then turns the answer into a broken pipe on the client's side. Bodies declared larger
 * than the limit are read and discarded first, then answered with the catalog's `body_too_large`.
 */
function drainOversizedBodies(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    // Beyond 8x the limit, draining costs more than a client's broken pipe: the socket is closed.
    if (!(declared > DEFAULT_BODY_LIMIT_BYTES) || declared > 8 * DEFAULT_BODY_LIMIT_BYTES) return;
    request.raw.resume();
    await new Promise<void>((resolve) => {
      request.raw.once('end', resolve);
      request.raw.once('error', () => resolve());
      request.raw.once('close', resolve);
    });
    const answer = mapError(Object.assign(new Error('body too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE' }), {
      bodyLimitBytes: DEFAULT_BODY_LIMIT_BYTES,
    });
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  });
}

function lastFinalized(follower: StateFollower): number {
  let last = 0;
  for (const s of Object.values(follower.state.settlements))
    if (s.state === 'finalized') last = Math.max(last, s.epoch_id);
  return last;
}

/** `{ value }` when `p` resolves within `ms`; undefined when it rejects or takes longer. */
async function within<T>(p: Promise<T>, ms: number): Promise<{ value: T } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([p.then((value) => ({ value })), timeout]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

async function watchNats(nc: NatsConnection, log: Logger): Promise<void> {
  for await (const s of nc.status()) {
    if (s.type === 'disconnect' || s.type === 'reconnect' || s.type === 'error')
      log.warn({ nats: s.type }, `nats ${s.type}`);
  }
}
