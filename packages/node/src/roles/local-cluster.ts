/**
 * A local cluster: 3 masters and N enterprise nodes, each its own process (`cluster-node-main.ts`)
 * with its own PostgreSQL database, sharing only a JetStream stream and NATS subjects under one
 * network name. Its folder holds the node configs, identity keys, the genesis file, one log file
 * per node (`logs/<node>.log`) and `cluster.json` (the pid file): `down` stops exactly the
 * processes recorded there, after checking each pid still runs that node's config.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { EnclaveRegistration } from '@symphony/protocol';
import pg from 'pg';
import { FileKeyring } from '../adapters/file-keyring.ts';
import { SimulatedTeeProvider } from '../adapters/simulated-tee.ts';
import { EXECUTOR_MEASUREMENT } from '../execution/execute-task.ts';
import type { ClusterNodeConfig } from './cluster-config.ts';
import type { NodeReadiness } from './cluster-node.ts';
import { enclaveKeyNameOf, keyNameOf } from './enterprise.ts';
import { EMBEDDED_TOPOLOGY, genesisEvents, type Topology, type TopologyActor } from './network-topology.ts';

export type LocalClusterOptions = {
  /** The cluster's folder (configs, keys, logs, pid file). */
  dir: string;
  /** A PostgreSQL URL allowed to create databases; each node gets `<network>_<node>` next to it. */
  adminDatabaseUrl: string;
  natsUrl: string;
  /** Network name (stream and subject prefix); default `scs_cluster_<random>`. */
  network?: string;
  /** The network's shape; default the embedded network's (3 masters, 2 enterprise nodes, 3 Vaults). */
  topology?: Topology;
  /** Actors registered at genesis. */
  actors?: TopologyActor[];
  /** A keyring folder whose `keys/*.pem` are copied to the nodes they belong to (same keys as another run). */
  keysFrom?: string;
  /** Frozen clock for replay comparisons. */
  fixedClockMs?: number;
  host?: string;
  requestTimeoutMs?: number;
  /** How long `up` waits for every node to be ready (default 120 s). */
  readyTimeoutMs?: number;
  /** Extra Node.js flags for every node process, e.g. `--cpu-prof --cpu-prof-dir DIR` (benchmarks). */
  nodeFlags?: string[];
};

/** One started node, as the pid file records it. */
export type LocalClusterNode = {
  node_id: string;
  role: 'master' | 'enterprise';
  pid: number;
  url: string;
  config_file: string;
  log_file: string;
  database: string;
};

/** The pid file's content. */
export type LocalClusterRecord = {
  network: string;
  dir: string;
  admin_database_url: string;
  nats_url: string;
  started_at: string;
  nodes: LocalClusterNode[];
  /** Extra Node.js flags each node process starts with (`LocalClusterOptions.nodeFlags`). */
  node_flags?: string[];
};

export const PID_FILE = 'cluster.json';
const MAIN = fileURLToPath(new URL('./cluster-node-main.ts', import.meta.url));
/** tsx's loader, resolved from here: node processes start from any working directory. */
const TSX = import.meta.resolve('tsx');

/** Generates a topology of `n` enterprise nodes, one Vault each (benchmarks). */
export function topologyWithEnterprises(n: number): Topology {
  return {
    ...EMBEDDED_TOPOLOGY,
    enterprises: Array.from({ length: n }, (_, i) => ({
      node_id: `node_ent-${i + 1}`,
      operator: `act_ent-${i + 1}`,
      vault_ids: [`vlt_ent-${i + 1}`],
    })),
  };
}

/** Handle on a running local cluster. */
export class LocalCluster {
  record: LocalClusterRecord;
  readonly #children = new Map<string, ChildProcess>();

  private constructor(record: LocalClusterRecord) {
    this.record = record;
  }

  /** The coordinating master's API. */
  get url(): string {
    return this.node('node_master-1').url;
  }

  node(nodeId: string): LocalClusterNode {
    const n = this.record.nodes.find((x) => x.node_id === nodeId);
    if (!n) throw new Error(`no node ${nodeId} in this cluster`);
    return n;
  }

  /** Starts every node and waits until each is ready. */
  static async up(opts: LocalClusterOptions): Promise<LocalCluster> {
    const network = opts.network ?? `scs_cluster_${randomBytes(5).toString('hex')}`;
    const topology: Topology = opts.actors
      ? { ...(opts.topology ?? EMBEDDED_TOPOLOGY), actors: [...(opts.topology?.actors ?? []), ...opts.actors] }
      : (opts.topology ?? EMBEDDED_TOPOLOGY);
    const host = opts.host ?? '127.0.0.1';
    await mkdir(join(opts.dir, 'logs'), { recursive: true });
    const nodes = [
      ...topology.masters.map((m) => ({ ...m, role: 'master' as const, vault_ids: [] as string[] })),
      ...topology.enterprises.map((e) => ({ ...e, role: 'enterprise' as const })),
    ];
    const ports = await Promise.all(nodes.map(() => freePort(host)));
    const keys = new Map<string, string>();
    const enclaves = new Map<string, EnclaveRegistration[]>();
    const databases: string[] = [];
    for (const n of nodes) {
      const identity = join(opts.dir, n.node_id);
      if (opts.keysFrom) await copyKeys(join(opts.keysFrom, 'keys'), join(identity, 'keys'), keyNameOf(n.node_id));
      const keyring = new FileKeyring({ dataDir: identity });
      keys.set(n.node_id, (await keyring.ensureKey(keyNameOf(n.node_id))).publicKeyHex);
      if (n.role === 'enterprise') {
        const tee = await SimulatedTeeProvider.open({
          keyring,
          keyName: enclaveKeyNameOf(n.node_id),
          measurement: EXECUTOR_MEASUREMENT,
        });
        enclaves.set(n.node_id, [await tee.identity()]);
      }
    }
    const genesisFile = join(opts.dir, 'genesis.json');
    await writeFile(genesisFile, JSON.stringify(genesisEvents(topology, keys, enclaves), null, 2));
    const admin = new pg.Client({ connectionString: opts.adminDatabaseUrl });
    await admin.connect();
    try {
      for (const n of nodes) {
        const db = `${network}_${n.node_id.replaceAll('-', '_')}`.toLowerCase();
        await admin.query(`create database ${db}`);
        databases.push(db);
      }
    } finally {
      await admin.end();
    }
    const peers = nodes.map((n, i) => ({ node_id: n.node_id, role: n.role, url: `http://${host}:${ports[i]}` }));
    const record: LocalClusterRecord = {
      network,
      dir: opts.dir,
      admin_database_url: opts.adminDatabaseUrl,
      nats_url: opts.natsUrl,
      started_at: new Date().toISOString(),
      nodes: [],
      ...(opts.nodeFlags?.length ? { node_flags: opts.nodeFlags } : {}),
    };
    const cluster = new LocalCluster(record);
    for (const [i, n] of nodes.entries()) {
      const dbUrl = new URL(opts.adminDatabaseUrl);
      dbUrl.pathname = `/${databases[i]}`;
      const config: ClusterNodeConfig = {
        node_id: n.node_id,
        role: n.role,
        operator: n.operator,
        identity_dir: join(opts.dir, n.node_id),
        database_url: dbUrl.toString(),
        nats_url: opts.natsUrl,
        network,
        listen: { host, port: ports[i]! },
        ...(n.role === 'master' && i === 0 ? { coordinator: true, genesis_file: genesisFile } : {}),
        ...(n.role === 'enterprise'
          ? {
              vaults: n.vault_ids.map((vault_id) => ({
                vault_id,
                approved_programs: ('approved_programs' in n ? n.approved_programs?.[vault_id] : undefined) ?? [],
              })),
            }
          : {}),
        peers: peers.filter((p) => p.node_id !== n.node_id),
        ...(opts.fixedClockMs !== undefined ? { fixed_clock_ms: opts.fixedClockMs } : {}),
        ...(opts.requestTimeoutMs ? { request_timeout_ms: opts.requestTimeoutMs } : {}),
      };
      const configFile = join(opts.dir, `${n.node_id}.json`);
      await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`);
      record.nodes.push({
        node_id: n.node_id,
        role: n.role,
        pid: 0,
        url: peers[i]!.url,
        config_file: configFile,
        log_file: join(opts.dir, 'logs', `${n.node_id}.log`),
        database: databases[i]!,
      });
    }
    // Enterprise nodes first (they answer the masters), then the masters; all at once.
    try {
      for (const n of record.nodes) await cluster.#spawn(n);
      await cluster.#save();
      await cluster.waitReady(opts.readyTimeoutMs ?? 120_000);
    } catch (error) {
      // Nothing half-started stays behind: stop what started, drop the databases and the stream.
      await cluster.down({ purge: true, graceMs: 2000 }).catch(() => {});
      throw error;
    }
    return cluster;
  }

  /** Attaches to a cluster started earlier (by another process) through its pid file. */
  static async attach(dir: string): Promise<LocalCluster> {
    return new LocalCluster(JSON.parse(await readFile(join(dir, PID_FILE), 'utf8')) as LocalClusterRecord);
  }

  async #spawn(n: LocalClusterNode): Promise<void> {
    const out = await open(n.log_file, 'a');
    const child = spawn(
      process.execPath,
      [...(this.record.node_flags ?? []), '--import', TSX, MAIN, '--role', n.role, '--config', n.config_file],
      {
        stdio: ['ignore', out.fd, out.fd],
        detached: true,
      },
    );
    await out.close();
    if (!child.pid) throw new Error(`could not start ${n.node_id}`);
    child.unref();
    n.pid = child.pid;
    this.#children.set(n.node_id, child);
    child.once('exit', () => this.#children.delete(n.node_id));
  }

  async #save(): Promise<void> {
    await writeFile(join(this.record.dir, PID_FILE), `${JSON.stringify(this.record, null, 2)}\n`);
  }

  /** Each node's readiness (a node that does not answer is reported `down`). */
  async status(): Promise<(NodeReadiness | { node_id: string; role: string; down: true })[]> {
    return Promise.all(
      this.record.nodes.map(async (n) => {
        try {
          const r = await fetch(`${n.url}/readyz`, { signal: AbortSignal.timeout(3000) });
          return (await r.json()) as NodeReadiness;
        } catch {
          return { node_id: n.node_id, role: n.role, down: true as const };
        }
      }),
    );
  }

  /** Waits until every node (or the named ones) answers ready. */
  async waitReady(timeoutMs = 60_000, nodeIds?: string[]): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const all = await this.status();
      const pending = all.filter((s) => (!nodeIds || nodeIds.includes(s.node_id)) && ('down' in s || !s.ready));
      if (pending.length === 0) return;
      for (const p of pending) {
        const n = this.node(p.node_id);
        if (!isOurs(n)) {
          const tail = await readFile(n.log_file, 'utf8').catch(() => '');
          throw new Error(`${n.node_id} exited; last log lines:\n${tail.split('\n').slice(-8).join('\n')}`);
        }
      }
      if (Date.now() > end)
        throw new Error(`nodes not ready after ${timeoutMs} ms: ${pending.map((p) => p.node_id).join(', ')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Sends `signal` to a node's process (SIGKILL, SIGSTOP, SIGCONT, SIGTERM). */
  signal(nodeId: string, signal: NodeJS.Signals): void {
    const n = this.node(nodeId);
    if (!isOurs(n)) throw new Error(`${nodeId} (pid ${n.pid}) is not running`);
    process.kill(n.pid, signal);
  }

  /** Waits until a node's process has exited. */
  async waitExit(nodeId: string, timeoutMs = 20_000): Promise<void> {
    const n = this.node(nodeId);
    const end = Date.now() + timeoutMs;
    while (isOurs(n)) {
      if (Date.now() > end) throw new Error(`${nodeId} did not exit within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Starts every recorded node that is not running (a stopped or restored cluster) and waits until all are ready. */
  async start(readyTimeoutMs = 120_000): Promise<string[]> {
    const started: string[] = [];
    for (const n of this.record.nodes) {
      if (isOurs(n)) continue;
      await this.#spawn(n);
      started.push(n.node_id);
    }
    await this.#save();
    await this.waitReady(readyTimeoutMs);
    return started;
  }

  /** Starts a stopped node again with the same config (its log file is appended to). */
  async restart(nodeId: string): Promise<void> {
    const n = this.node(nodeId);
    if (isOurs(n)) throw new Error(`${nodeId} is still running`);
    await this.#spawn(n);
    await this.#save();
  }

  /**
   * Stops exactly the processes this cluster started (SIGTERM, then SIGKILL after `graceMs`);
   * with `purge`, drops their databases and the network's stream too.
   */
  async down(opts: { purge?: boolean; graceMs?: number } = {}): Promise<string[]> {
    const stopped: string[] = [];
    for (const n of this.record.nodes) {
      if (!isOurs(n)) continue;
      try {
        process.kill(n.pid, 'SIGCONT');
        process.kill(n.pid, 'SIGTERM');
        stopped.push(n.node_id);
      } catch {}
    }
    const end = Date.now() + (opts.graceMs ?? 15_000);
    for (const n of this.record.nodes) {
      while (isOurs(n) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      if (isOurs(n)) process.kill(n.pid, 'SIGKILL');
      while (isOurs(n)) await new Promise((r) => setTimeout(r, 20));
    }
    if (opts.purge) await this.purge();
    return stopped;
  }

  /** Drops the nodes' databases and the network's JetStream stream. */
  async purge(): Promise<void> {
    const admin = new pg.Client({ connectionString: this.record.admin_database_url });
    await admin.connect();
    try {
      for (const n of this.record.nodes) await admin.query(`drop database if exists ${n.database} with (force)`);
    } finally {
      await admin.end();
    }
    const nc = await connect({ servers: this.record.nats_url });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.delete(`${this.record.network}_log`).catch(() => false);
    } finally {
      await nc.close();
    }
  }

  /** Removes the cluster's folder (after `down`). */
  async removeDir(): Promise<void> {
    await rm(this.record.dir, { recursive: true, force: true });
  }
}

/** Whether the recorded pid still runs this node's config (so a reused pid is never signalled). */
export function isOurs(n: LocalClusterNode): boolean {
  if (!n.pid) return false;
  try {
    const cmd = cmdlineOf(n.pid);
    if (!cmd.includes(n.config_file)) return false;
    const stat = readProcStat(n.pid);
    return stat !== 'Z';
  } catch {
    return false;
  }
}

function cmdlineOf(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
}

function readProcStat(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

async function copyKeys(from: string, to: string, keyName: string): Promise<void> {
  await mkdir(to, { recursive: true, mode: 0o700 });
  for (const f of await readdir(from)) {
    if (f === `${keyName}.pem` || f.startsWith(`${keyName}.`)) await copyFile(join(from, f), join(to, f));
  }
}

/** A free TCP port on `host`. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}
