/**
 * Test access to the external services (PostgreSQL, NATS JetStream). Each test run works in its
 * own database and under its own stream/subject prefix, and removes them afterwards.
 *
 * When `DATABASE_URL` / `NATS_URL` is unset, suites that need the service are skipped with a
 * reason, except under CI (`CI` set), where they fail: CI must never pass by skipping.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';

/** The external services the contract suites use. */
export const serviceKinds = ['postgres', 'nats'] as const;
/** The external services the contract suites use. */
export type ServiceKind = (typeof serviceKinds)[number];

const envVar: Record<ServiceKind, string> = { postgres: 'DATABASE_URL', nats: 'NATS_URL' };
const example: Record<ServiceKind, string> = {
  postgres: 'postgres://postgres@127.0.0.1:5432/postgres',
  nats: 'nats://127.0.0.1:4222',
};

/**
 * Whether a suite needing `kind` can run: `url` when configured; otherwise `skip` holds the
 * reason outside CI, and under CI both are undefined so `requireUrl` fails every test.
 */
export type ServiceGate = {
  readonly kind: ServiceKind;
  readonly url: string | undefined;
  readonly skip: string | undefined;
};

/** Reads the service's URL from the environment and decides run / skip / fail. */
export function serviceGate(kind: ServiceKind): ServiceGate {
  const url = process.env[envVar[kind]];
  if (url) return { kind, url, skip: undefined };
  if (process.env.CI) return { kind, url: undefined, skip: undefined };
  return {
    kind,
    url: undefined,
    skip: `${envVar[kind]} is not set, so the ${kind} adapter is not tested (e.g. ${envVar[kind]}=${example[kind]})`,
  };
}

/** The gate's URL, or throws: under CI a missing service is a failure, not a skip. */
export function requireUrl(gate: ServiceGate): string {
  if (gate.url) return gate.url;
  throw new Error(`${envVar[gate.kind]} is not set but CI is: the ${gate.kind} contract suite cannot be skipped in CI`);
}

/** A random lowercase name with the test prefix, valid as a database, table, stream and subject token. */
export function uniqueName(prefix = 'scs_test'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Test databases and streams older than this are leftovers of crashed runs and get removed. */
const STALE_MS = 60 * 60 * 1000;

/** A database created for this run. */
export type TestDatabase = {
  readonly name: string;
  /** Connection string of the new database. */
  readonly url: string;
  /** Drops the database (terminating its connections). */
  drop(): Promise<void>;
};

/** Creates a fresh database `scs_test_<hex>` through the admin URL (and sweeps stale ones). */
export async function createTestDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = uniqueName();
  await withAdmin(adminUrl, async (admin) => {
    await sweepStaleDatabases(admin);
    await admin.query(`create database ${name}`);
    await admin.query(`comment on database ${name} is 'scs test run, created ${new Date().toISOString()}'`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin(adminUrl, (admin) => admin.query(`drop database if exists ${name} with (force)`));
    },
  };
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function sweepStaleDatabases(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string; comment: string | null }>(
    `select datname, shobj_description(oid, 'pg_database') as comment
       from pg_database where datname like 'scs\\_test\\_%'`,
  );
  for (const row of rows) {
    const created = /created (\S+)$/.exec(row.comment ?? '')?.[1];
    if (created && Date.now() - Date.parse(created) > STALE_MS && /^scs_test_[0-9a-f]+$/.test(row.datname)) {
      await admin.query(`drop database if exists ${row.datname} with (force)`).catch(() => {});
    }
  }
}

/** A NATS connection for this run, with a unique prefix for its streams and subjects. */
export type TestNats = {
  readonly connection: NatsConnection;
  /** Prefix of every stream and subject this run creates. */
  readonly prefix: string;
  /** Opens another connection to the same server (closed by `cleanup`). */
  connect(): Promise<NatsConnection>;
  /** Deletes every stream named with `prefix` and closes the connections. */
  cleanup(): Promise<void>;
};

/** Connects to NATS for a test run (and sweeps stale test streams). */
export async function connectTestNats(url: string): Promise<TestNats> {
  const prefix = uniqueName();
  const extra: NatsConnection[] = [];
  const open = () => connect({ servers: url, name: prefix });
  const connection = await open();
  await sweepStaleStreams(connection);
  return {
    connection,
    prefix,
    async connect() {
      const nc = await open();
      extra.push(nc);
      return nc;
    },
    async cleanup() {
      try {
        await deleteStreams(connection, (name) => name.startsWith(prefix));
      } finally {
        await Promise.all([connection, ...extra].map((nc) => nc.close()));
      }
    },
  };
}

async function deleteStreams(nc: NatsConnection, matches: (name: string, created: Date) => boolean): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const doomed: string[] = [];
  for await (const info of jsm.streams.list()) {
    if (matches(info.config.name, new Date(info.created))) doomed.push(info.config.name);
  }
  await Promise.all(doomed.map((name) => jsm.streams.delete(name).catch(() => false)));
}

async function sweepStaleStreams(nc: NatsConnection): Promise<void> {
  await deleteStreams(nc, (name, created) => name.startsWith('scs_test_') && Date.now() - created.getTime() > STALE_MS);
}

/** A temporary directory, removed by `cleanup`. */
export type TempDir = { readonly path: string; cleanup(): Promise<void> };

/** Creates a temporary directory under the OS temp dir. */
export async function createTempDir(prefix = 'scs-test-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}
