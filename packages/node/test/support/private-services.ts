/**
 * Private service instances for fault tests: a nats-server with JetStream and a PostgreSQL
 * cluster, each in its own temporary folder on a free port, so that killing or restarting them
 * touches nothing anyone else uses (never the machine's shared NATS or PostgreSQL).
 * PostgreSQL runs as the `postgres` OS user when this process is root (initdb refuses root).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/roles/local-cluster.ts';

/** Where nats-server is, or undefined. */
export function natsServerBinary(): string | undefined {
  for (const p of ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'])
    if (existsSync(p)) return p;
  return undefined;
}

/** The bin folder of the newest PostgreSQL server installed under /usr/lib/postgresql, or undefined. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

/** Why private services cannot run here, or undefined. */
export function privateServicesMissing(): string | undefined {
  if (!natsServerBinary()) return 'nats-server is not installed (looked in /usr/sbin, /usr/bin, /usr/local/bin)';
  if (!postgresBinDir()) return 'no PostgreSQL server binaries under /usr/lib/postgresql/*/bin';
  return undefined;
}

/** A private nats-server (JetStream on, store in a temp folder) that can be killed and started again. */
export class PrivateNats {
  readonly url: string;
  readonly #port: number;
  readonly #dir: string;
  #proc: ChildProcess | undefined;

  private constructor(port: number, dir: string) {
    this.#port = port;
    this.#dir = dir;
    this.url = `nats://127.0.0.1:${port}`;
  }

  static async start(): Promise<PrivateNats> {
    const dir = await mkdtemp(join(tmpdir(), 'scs-nats-'));
    const nats = new PrivateNats(await freePort(), dir);
    await nats.restart();
    return nats;
  }

  /** Starts the server (again) on the same port and store. */
  async restart(): Promise<void> {
    if (this.#proc && this.#proc.exitCode === null && this.#proc.signalCode === null)
      throw new Error('nats-server is still running');
    this.#proc = spawn(natsServerBinary()!, ['-js', '-a', '127.0.0.1', '-p', String(this.#port), '-sd', this.#dir], {
      stdio: 'ignore',
    });
    await waitForPort(this.#port);
  }

  /** SIGKILLs the server and waits until it is gone. */
  async kill(): Promise<void> {
    const proc = this.#proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    await rm(this.#dir, { recursive: true, force: true });
  }
}

/** A private PostgreSQL cluster (initdb in a temp folder, trust auth, fsync off) on a free port. */
export class PrivatePostgres {
  readonly url: string;
  readonly #dir: string;
  readonly #port: number;

  private constructor(dir: string, port: number) {
    this.#dir = dir;
    this.#port = port;
    this.url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  }

  static async start(): Promise<PrivatePostgres> {
    const dir = await mkdtemp(join(tmpdir(), 'scs-pg-'));
    if (asRoot()) await chown(dir, pgUid(), pgGid());
    const pg = new PrivatePostgres(dir, await freePort());
    pg.#run('initdb', ['-D', pg.#data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
    pg.#ctl('start');
    return pg;
  }

  get #data(): string {
    return join(this.#dir, 'data');
  }

  /** `pg_ctl restart -m fast`: every connection is cut, the server comes back on the same port. */
  restart(): void {
    this.#run('pg_ctl', ['-D', this.#data, '-m', 'fast', '-w', 'restart', '-l', join(this.#dir, 'server.log')]);
  }

  async stop(): Promise<void> {
    try {
      this.#run('pg_ctl', ['-D', this.#data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      await rm(this.#dir, { recursive: true, force: true });
    }
  }

  #ctl(action: 'start'): void {
    const opts = `-p ${this.#port} -k ${this.#dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    this.#run('pg_ctl', ['-D', this.#data, '-o', opts, '-l', join(this.#dir, 'server.log'), '-w', action]);
  }

  #run(tool: string, args: string[]): void {
    const bin = join(postgresBinDir()!, tool);
    if (asRoot()) execFileSync('runuser', ['-u', 'postgres', '--', bin, ...args], { stdio: 'ignore' });
    else execFileSync(bin, args, { stdio: 'ignore' });
  }
}

const asRoot = () => process.getuid?.() === 0;
const pgUid = () => Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
const pgGid = () => Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());

async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const { connect } = await import('node:net');
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
