/**
 * The configuration file of one cluster node (`symphony node --role R --config FILE`): JSON naming
 * the node, its identity key folder, its own database, the NATS server, the network (the JetStream
 * stream and bus subject prefix every node of one network shares), the API listen address and the
 * peers. Read once at the edge; a bad file is refused with the field that is wrong.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';

/** One peer of a node: where its API (health, metrics) answers. */
export type ClusterPeer = { node_id: string; role: 'master' | 'enterprise'; url: string };

/** A Vault an enterprise node hosts. */
export type ClusterVault = { vault_id: string; approved_programs?: string[] };

export type ClusterNodeConfig = {
  node_id: string;
  role: 'master' | 'enterprise';
  /** The account operating the node. */
  operator: string;
  /** The folder whose `keys/` holds the node's identity key (PEM, 0600), created on first start. */
  identity_dir: string;
  /** This node's own PostgreSQL database (masters: idempotency keys and outputs; enterprise: its Vaults). */
  database_url: string;
  nats_url: string;
  /** Names the network: JetStream stream `<network>_log` and bus subjects `<network>.*`. */
  network: string;
  listen: { host: string; port: number };
  /** Master only: whether this master drives task lifecycles (exactly one per network). */
  coordinator?: boolean;
  /** Master only, coordinator: the genesis events written when the log is still empty (JSON array). */
  genesis_file?: string;
  /** Enterprise only: the Vaults it hosts. */
  vaults?: ClusterVault[];
  peers?: ClusterPeer[];
  /** A frozen clock (milliseconds) for replay comparisons; never in production. Default: the system clock. */
  fixed_clock_ms?: number;
  /** Bus request timeout in ms (default 10000). */
  request_timeout_ms?: number;
  /** Log lag (entries) above which readiness fails (default 1000). */
  max_ready_lag?: number;
};

/** A configuration problem: the field and what is wrong with it. */
export class ClusterConfigError extends Error {
  readonly code = 'invalid_config';
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`config field ${field}: ${reason}`);
  }
}

const ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const NETWORK = /^[A-Za-z0-9_-]{1,100}$/;

/** Reads and checks a node's configuration file; relative paths are taken from the file's folder. */
export async function readClusterConfig(file: string, role?: string): Promise<ClusterNodeConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ClusterConfigError('(file)', `cannot read ${file} as JSON: ${(error as Error).message}`);
  }
  const config = parseClusterConfig(raw, dirname(resolve(file)));
  if (role !== undefined && role !== config.role)
    throw new ClusterConfigError('role', `the file says ${config.role} but --role says ${role}`);
  return config;
}

/** Checks a parsed configuration object. */
export function parseClusterConfig(raw: unknown, baseDir = process.cwd()): ClusterNodeConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ClusterConfigError('(root)', 'must be an object');
  const o = raw as Record<string, unknown>;
  const known = new Set([
    'node_id',
    'role',
    'operator',
    'identity_dir',
    'database_url',
    'nats_url',
    'network',
    'listen',
    'coordinator',
    'genesis_file',
    'vaults',
    'peers',
    'fixed_clock_ms',
    'request_timeout_ms',
    'max_ready_lag',
  ]);
  for (const k of Object.keys(o)) if (!known.has(k)) throw new ClusterConfigError(k, 'unknown field');
  const str = (k: string, pattern?: RegExp): string => {
    const v = o[k];
    if (typeof v !== 'string' || v.length === 0) throw new ClusterConfigError(k, 'must be a non-empty string');
    if (pattern && !pattern.test(v)) throw new ClusterConfigError(k, `must match ${pattern}`);
    return v;
  };
  const int = (k: string, min: number): number | undefined => {
    const v = o[k];
    if (v === undefined) return undefined;
    if (!Number.isSafeInteger(v) || (v as number) < min)
      throw new ClusterConfigError(k, `must be an integer >= ${min}`);
    return v as number;
  };
  const path = (k: string) => {
    const v = str(k);
    return isAbsolute(v) ? v : resolve(baseDir, v);
  };
  const role = str('role');
  if (role !== 'master' && role !== 'enterprise') throw new ClusterConfigError('role', 'must be master or enterprise');
  const url = (k: string, protocols: string[]) => {
    const v = str(k);
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      throw new ClusterConfigError(k, 'must be a URL');
    }
    if (!protocols.includes(u.protocol)) throw new ClusterConfigError(k, `must use ${protocols.join(' or ')}`);
    return v;
  };
  const listen = o.listen as { host?: unknown; port?: unknown } | undefined;
  if (typeof listen !== 'object' || listen === null) throw new ClusterConfigError('listen', 'must be {host, port}');
  if (typeof listen.host !== 'string' || listen.host === '')
    throw new ClusterConfigError('listen.host', 'must be a host name or address');
  if (!Number.isSafeInteger(listen.port) || (listen.port as number) < 0 || (listen.port as number) > 65535)
    throw new ClusterConfigError('listen.port', 'must be a port number');
  const config: ClusterNodeConfig = {
    node_id: str('node_id', ID),
    role,
    operator: str('operator', /^act_[a-z0-9_-]+$/),
    identity_dir: path('identity_dir'),
    database_url: url('database_url', ['postgres:', 'postgresql:']),
    nats_url: url('nats_url', ['nats:', 'tls:']),
    network: str('network', NETWORK),
    listen: { host: listen.host, port: listen.port as number },
  };
  if (o.coordinator !== undefined) {
    if (typeof o.coordinator !== 'boolean') throw new ClusterConfigError('coordinator', 'must be true or false');
    if (role !== 'master') throw new ClusterConfigError('coordinator', 'only a master coordinates');
    config.coordinator = o.coordinator;
  }
  if (o.genesis_file !== undefined) config.genesis_file = path('genesis_file');
  if (o.vaults !== undefined) {
    if (role !== 'enterprise') throw new ClusterConfigError('vaults', 'only an enterprise node hosts Vaults');
    if (!Array.isArray(o.vaults) || o.vaults.length === 0)
      throw new ClusterConfigError('vaults', 'must be a non-empty array');
    config.vaults = o.vaults.map((v, i) => {
      const vault = v as { vault_id?: unknown; approved_programs?: unknown };
      if (typeof vault?.vault_id !== 'string' || !/^vlt_[a-z0-9_-]+$/.test(vault.vault_id))
        throw new ClusterConfigError(`vaults[${i}].vault_id`, 'must be a vlt_ id');
      const approved = vault.approved_programs;
      if (approved !== undefined && (!Array.isArray(approved) || approved.some((h) => !/^[0-9a-f]{64}$/.test(h))))
        throw new ClusterConfigError(`vaults[${i}].approved_programs`, 'must be SHA-256 hex code hashes');
      return { vault_id: vault.vault_id, ...(approved ? { approved_programs: approved as string[] } : {}) };
    });
  } else if (role === 'enterprise') throw new ClusterConfigError('vaults', 'an enterprise node must host Vaults');
  if (o.peers !== undefined) {
    if (!Array.isArray(o.peers)) throw new ClusterConfigError('peers', 'must be an array');
    config.peers = o.peers.map((p, i) => {
      const peer = p as Partial<ClusterPeer>;
      if (typeof peer?.node_id !== 'string' || !ID.test(peer.node_id))
        throw new ClusterConfigError(`peers[${i}].node_id`, 'must be a node id');
      if (peer.role !== 'master' && peer.role !== 'enterprise')
        throw new ClusterConfigError(`peers[${i}].role`, 'must be master or enterprise');
      if (typeof peer.url !== 'string' || !/^https?:\/\//.test(peer.url))
        throw new ClusterConfigError(`peers[${i}].url`, 'must be an http(s) URL');
      return { node_id: peer.node_id, role: peer.role, url: peer.url };
    });
  }
  const fixed = int('fixed_clock_ms', 0);
  if (fixed !== undefined) config.fixed_clock_ms = fixed;
  const timeout = int('request_timeout_ms', 1);
  if (timeout !== undefined) config.request_timeout_ms = timeout;
  const lag = int('max_ready_lag', 0);
  if (lag !== undefined) config.max_ready_lag = lag;
  return config;
}
