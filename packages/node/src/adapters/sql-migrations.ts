/** The migration procedure shared by the store adapters (one SQL dialect, so one procedure). */
import { createHash } from 'node:crypto';
import { PortError } from '../ports/errors.ts';
import type { Migration, StoreErrorCode, StoreQuery } from '../ports/store.ts';

/** What `applyMigrations` needs from an open transaction. */
export type MigrationTx = {
  readonly query: StoreQuery;
  /** Runs a script of one or more statements without parameters. */
  exec(sql: string): Promise<void>;
};

/** Arbitrary but fixed key of the advisory lock that serializes concurrent migrators of one database. */
const MIGRATION_LOCK_KEY = 0x5c5_0001;
const MIGRATION_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/;

/** Throws `migration_invalid` on an empty or malformed id, a duplicate id, or empty SQL. */
export function checkMigrations(migrations: readonly Migration[]): void {
  const seen = new Set<string>();
  for (const m of migrations) {
    const invalid = (why: string) =>
      new PortError<StoreErrorCode>('migration_invalid', `migration ${String(m?.id)}: ${why}`);
    if (typeof m?.id !== 'string' || !MIGRATION_ID.test(m.id)) throw invalid(`id must match ${MIGRATION_ID}`);
    if (seen.has(m.id)) throw invalid('duplicate id');
    if (typeof m.sql !== 'string' || m.sql.trim() === '') throw invalid('empty sql');
    seen.add(m.id);
  }
}

/** SHA-256 of a migration's exact text, as stored in `schema_migrations.checksum`. */
export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

/**
 * Applies the migrations of `migrations` not yet recorded in `schema_migrations`, in order, inside
 * the caller's transaction, under an advisory lock. Verifies every already-applied one first.
 */
export async function applyMigrations(tx: MigrationTx, migrations: readonly Migration[]): Promise<void> {
  await tx.query(`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
  await tx.exec(
    `create table if not exists schema_migrations (
      id text primary key,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`,
  );
  const rows = await tx.query<{ id: string; checksum: string }>('select id, checksum from schema_migrations');
  const applied = new Map(rows.map((r) => [r.id, r.checksum]));
  for (const m of migrations) {
    const checksum = applied.get(m.id);
    if (checksum !== undefined && checksum !== migrationChecksum(m.sql)) {
      throw new PortError<StoreErrorCode>(
        'migration_changed',
        `migration ${m.id} was applied with a different text; add a new migration instead of editing it`,
      );
    }
  }
  for (const m of migrations) {
    if (applied.has(m.id)) continue;
    await tx.exec(m.sql);
    await tx.query('insert into schema_migrations (id, checksum) values ($1, $2)', [m.id, migrationChecksum(m.sql)]);
  }
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

/** Throws `invalid_channel` unless `channel` is a plain lowercase identifier (safe to splice into LISTEN). */
export function checkChannel(channel: string): void {
  if (typeof channel !== 'string' || !CHANNEL.test(channel)) {
    throw new PortError<StoreErrorCode>('invalid_channel', `invalid channel name ${JSON.stringify(String(channel))}`);
  }
}

/** A `closed` error for a store. */
export function closedStore(): PortError<StoreErrorCode> {
  return new PortError<StoreErrorCode>('closed', 'store is closed');
}
