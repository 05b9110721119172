/**
 * Backup and restore of a local cluster: the protocol log (the source of truth) exported from its
 * JetStream stream as NDJSON, one entry per line, and re-appended entry by entry on restore (the
 * log checks every link, so a damaged or reordered file is refused); each node's database with
 * `pg_dump -Fc` / `pg_restore`; the cluster folder (configs, genesis, identity keys) copied as is.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { JetStreamProtocolLog } from '../adapters/jetstream-protocol-log.ts';
import type { LogEntry, ProtocolLog } from '../ports/protocol-log.ts';
import { LocalCluster, type LocalClusterRecord, PID_FILE } from './local-cluster.ts';

/** Writes every log entry, in order, as one JSON line each; returns the count and the head. */
export async function exportLog(
  log: ProtocolLog,
  file: string,
): Promise<{ entries: number; head_hash: string | null }> {
  const lines: string[] = [];
  let head: string | null = null;
  for (let from = 0; ; ) {
    const batch = await log.read(from, 1000);
    for (const e of batch) {
      lines.push(JSON.stringify(e));
      head = e.hash;
    }
    from += batch.length;
    if (batch.length < 1000) break;
  }
  await writeFile(file, lines.length > 0 ? `${lines.join('\n')}\n` : '');
  return { entries: lines.length, head_hash: head };
}

/** Appends the file's entries to `log` in order (entries already there with the same hash pass). */
export async function importLog(log: ProtocolLog, file: string): Promise<number> {
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY })) {
    if (line.trim() === '') continue;
    const entry = JSON.parse(line) as LogEntry;
    const outcome = await log.append(entry);
    if (!outcome.ok) throw new Error(`entry ${entry.seq} of ${file} refused: ${outcome.code}`);
    n++;
  }
  return n;
}

/** Finds a PostgreSQL client tool (`pg_dump`, `pg_restore`) on PATH or under /usr/lib/postgresql. */
export function postgresTool(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, name))) return join(dir, name);
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(join(root, v, 'bin', name))) return join(root, v, 'bin', name);
  }
  throw new Error(`${name} not found on PATH or under /usr/lib/postgresql/*/bin`);
}

const dbUrl = (record: LocalClusterRecord, database: string) => {
  const u = new URL(record.admin_database_url);
  u.pathname = `/${database}`;
  return u.toString();
};

/** Backs up a cluster into `out`: log.ndjson, one `<database>.dump` per node, and the cluster folder. */
export async function backupCluster(
  cluster: LocalCluster,
  out: string,
): Promise<{ entries: number; head_hash: string | null; databases: string[] }> {
  const record = cluster.record;
  await mkdir(out, { recursive: true });
  const nc = await connect({ servers: record.nats_url });
  let log: { entries: number; head_hash: string | null };
  try {
    log = await exportLog(
      await JetStreamProtocolLog.open({ connection: nc, prefix: record.network }),
      join(out, 'log.ndjson'),
    );
  } finally {
    await nc.close();
  }
  const pgDump = postgresTool('pg_dump');
  for (const n of record.nodes)
    execFileSync(pgDump, ['-Fc', '-f', join(out, `${n.database}.dump`), dbUrl(record, n.database)], { stdio: 'pipe' });
  await cp(record.dir, join(out, 'cluster'), {
    recursive: true,
    filter: (src) => !src.startsWith(join(record.dir, 'logs')),
  });
  return { ...log, databases: record.nodes.map((n) => n.database) };
}

/**
 * Restores a backup into `dir` (the cluster folder is copied back; each database is created and
 * filled with pg_restore; the log is re-appended to the stream), then starts every node.
 * The databases and the stream must not hold anything else.
 */
export async function restoreCluster(from: string, dir: string): Promise<{ cluster: LocalCluster; entries: number }> {
  await cp(join(from, 'cluster'), dir, { recursive: true });
  await mkdir(join(dir, 'logs'), { recursive: true });
  // The folder may be restored elsewhere: its files name their paths under the original folder.
  const original = (JSON.parse(await readFile(join(dir, PID_FILE), 'utf8')) as LocalClusterRecord).dir;
  const target = resolve(dir);
  for (const file of [PID_FILE, ...readdirSync(dir).filter((f) => f.endsWith('.json') && f !== PID_FILE)]) {
    const text = await readFile(join(dir, file), 'utf8');
    await writeFile(
      join(dir, file),
      text.replaceAll(JSON.stringify(original).slice(1, -1), JSON.stringify(target).slice(1, -1)),
    );
  }
  const cluster = await LocalCluster.attach(dir);
  const record = cluster.record;
  const admin = new pg.Client({ connectionString: record.admin_database_url });
  await admin.connect();
  try {
    for (const n of record.nodes) await admin.query(`create database ${n.database}`);
  } finally {
    await admin.end();
  }
  const pgRestore = postgresTool('pg_restore');
  for (const n of record.nodes)
    execFileSync(pgRestore, ['--no-owner', '-d', dbUrl(record, n.database), join(from, `${n.database}.dump`)], {
      stdio: 'pipe',
    });
  const nc = await connect({ servers: record.nats_url });
  let entries: number;
  try {
    entries = await importLog(
      await JetStreamProtocolLog.open({ connection: nc, prefix: record.network }),
      join(from, 'log.ndjson'),
    );
  } finally {
    await nc.close();
  }
  await writeFile(join(dir, PID_FILE), `${JSON.stringify(record, null, 2)}\n`);
  await cluster.start();
  return { cluster, entries };
}
