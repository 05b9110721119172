/**
 * `Store`: the PostgreSQL-dialect database holding one node's own tables (projections, queues,
 * Vault records). Embedded nodes use PGlite, cluster nodes PostgreSQL; callers write one SQL
 * dialect (PostgreSQL 15 features only) and never learn which one they run on.
 */
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';

/** The drizzle database of a store, usable with the same schema on PGlite and node-postgres. */
export type StoreDb = PgDatabase<PgQueryResultHKT>;

/** The drizzle handle inside a transaction (nested `transaction()` calls become savepoints). */
export type StoreTxDb = PgTransaction<PgQueryResultHKT>;

/** Which engine a store runs on. */
export const storeKinds = ['pglite', 'postgres'] as const;
/** Which engine a store runs on. */
export type StoreKind = (typeof storeKinds)[number];

/**
 * One schema change, applied at most once per store. `id` orders nothing by itself: a list is
 * applied in the order given, and the text under an id must never change once applied.
 */
export type Migration = { readonly id: string; readonly sql: string };

/** Stable codes of the errors a store throws. */
export const storeErrorCodes = ['closed', 'migration_changed', 'migration_invalid', 'invalid_channel'] as const;
/** Stable codes of the errors a store throws. */
export type StoreErrorCode = (typeof storeErrorCodes)[number];

/**
 * Runs one SQL statement with `$1`, `$2`, ... parameters and returns its rows.
 * Column values come back the same on every adapter: `int8` as `bigint`, `numeric` as `string`,
 * `json`/`jsonb` parsed, `timestamptz` as `Date`, `bytea` as `Uint8Array`.
 * Pass JSON parameters as objects or as JSON text cast with `$n::jsonb`; a JS array parameter
 * becomes a PostgreSQL array, not a JSON array.
 */
export type StoreQuery = <T extends object = Record<string, unknown>>(
  sql: string,
  params?: readonly unknown[],
) => Promise<T[]>;

/** What a transaction body sees: every statement runs on the transaction's connection. */
export type StoreTx = {
  /** Drizzle inside the transaction. */
  readonly db: StoreTxDb;
  /** Raw SQL inside the transaction. */
  readonly query: StoreQuery;
  /**
   * Bulk-loads rows into `table` (a qualified name; table and column names are trusted
   * identifiers) with `COPY table (columns) FROM`, from a whole stream in PostgreSQL's `text` or
   * `binary` COPY format. All rows or none: a failing row fails the statement. Absent on an
   * engine that cannot stream `COPY` data (see `Store.copies`); callers then write the same rows
   * with an insert statement.
   */
  readonly copyFrom?: (
    table: string,
    columns: readonly string[],
    data: Uint8Array,
    format: 'text' | 'binary',
  ) => Promise<void>;
};

/** A registration made by `Store.listen`. */
export type StoreListener = { unlisten(): Promise<void> };

/** A node's own PostgreSQL-dialect database. */
export interface Store {
  /** The engine underneath, for diagnostics only: behaviour is the same on both. */
  readonly kind: StoreKind;
  /** Whether this store's transactions offer `StoreTx.copyFrom` (bulk loading). */
  readonly copies: boolean;
  /** Drizzle over the store, outside any transaction (each statement commits by itself). */
  readonly db: StoreDb;
  /** Runs one statement outside any transaction. Never call it from inside `transaction` (use `tx.query`). */
  readonly query: StoreQuery;
  /**
   * Runs `fn` in a serializable transaction: commits when it resolves, rolls back when it throws,
   * and the outcome is as if concurrent transactions had run one at a time (no lost update).
   * An adapter may run `fn` again after a serialization conflict, so `fn` must have no effect
   * outside `tx` (no messages, no appends) and must not use `store.query`/`store.db`.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /**
   * Applies the migrations not yet applied, in the order given, each exactly once, all in one
   * transaction (a failure applies none of this call's migrations). Ids already applied are
   * skipped; an applied id whose text changed rejects with `migration_changed`. Ids applied
   * earlier but absent from `migrations` are left alone, so each module can own its own list.
   * A migration may hold several statements but no transaction control.
   */
  migrate(migrations: readonly Migration[]): Promise<void>;
  /**
   * Calls `onNotification` for each `pg_notify(channel, payload)` committed on this database.
   * Best effort: a notification can be lost (a dropped connection), so use it to wake up a
   * poller, never as the only signal. `channel` matches `^[a-z_][a-z0-9_]{0,62}$`.
   */
  listen(channel: string, onNotification: (payload: string) => void): Promise<StoreListener>;
  /** Closes the store; later calls reject with `closed`. */
  close(): Promise<void>;
}
