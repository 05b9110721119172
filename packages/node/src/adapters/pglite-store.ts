/**
 * `Store` on embedded PGlite (PostgreSQL compiled to WebAssembly): in memory without a
 * `dataDir`, on disk with one. PGlite is one connection: its own mutex runs every transaction
 * exclusively and holds top-level statements until the running transaction ends, so concurrent
 * callers never interleave and transactions are serial (trivially serializable).
 */
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import type { Migration, Store, StoreDb, StoreListener, StoreQuery, StoreTx, StoreTxDb } from '../ports/store.ts';
import { applyMigrations, checkChannel, checkMigrations, closedStore } from './sql-migrations.ts';

/** Options of `PgliteStore.open`. */
export type PgliteStoreOptions = {
  /** Directory of an on-disk database (created when missing). Omitted: in memory, gone on close. */
  readonly dataDir?: string;
  /**
   * A tarball from `dumpDataDir()` to start from instead of running initdb, which costs seconds
   * per instance. Only for a fresh database.
   */
  readonly loadDataDir?: Blob;
};

const INT8 = 20;

/** `Store` over PGlite. Use `PgliteStore.open`. */
export class PgliteStore implements Store {
  readonly kind = 'pglite' as const;
  readonly copies = true;
  readonly db: StoreDb;
  readonly #pg: PGlite;
  #closed = false;

  private constructor(pg: PGlite) {
    this.#pg = pg;
    this.db = drizzle({ client: pg }) as unknown as StoreDb;
  }

  /** Opens (and on first use initializes) a PGlite database. */
  static async open(opts: PgliteStoreOptions = {}): Promise<PgliteStore> {
    const pg = await PGlite.create({
      ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}),
      ...(opts.loadDataDir !== undefined ? { loadDataDir: opts.loadDataDir } : {}),
      // int8 as bigint always (PGlite's default gives number or bigint depending on the value).
      parsers: { [INT8]: (value: string) => BigInt(value) },
    });
    return new PgliteStore(pg);
  }

  readonly query: StoreQuery = async (sql, params) => {
    this.#checkOpen();
    const result = await this.#pg.query<never>(sql, params ? [...params] : undefined);
    return result.rows;
  };

  async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    this.#checkOpen();
    return this.#pg.transaction(async (ptx) => {
      // A drizzle database whose only "client" call, `transaction`, hands over the PGlite transaction
      // already open: drizzle then builds a real transaction handle (savepoints for nesting) on it.
      const client = { transaction: (cb: (t: Transaction) => Promise<unknown>) => cb(ptx) };
      const outer = drizzle({ client: client as unknown as PGlite });
      return outer.transaction(async (dtx) =>
        fn({
          db: dtx as unknown as StoreTxDb,
          query: async (sql, params) => (await ptx.query<never>(sql, params ? [...params] : undefined)).rows,
          copyFrom: async (table, columns, data, format) => {
            await ptx.query(`copy ${table} (${columns.join(', ')}) from '/dev/blob' with (format ${format})`, [], {
              blob: new Blob([data]),
            });
          },
        }),
      );
    });
  }

  async migrate(migrations: readonly Migration[]): Promise<void> {
    this.#checkOpen();
    checkMigrations(migrations);
    await this.#pg.transaction((ptx) =>
      applyMigrations(
        {
          query: async (sql, params) => (await ptx.query<never>(sql, params ? [...params] : undefined)).rows,
          exec: async (sql) => {
            await ptx.exec(sql);
          },
        },
        migrations,
      ),
    );
  }

  async listen(channel: string, onNotification: (payload: string) => void): Promise<StoreListener> {
    this.#checkOpen();
    checkChannel(channel);
    const unlisten = await this.#pg.listen(channel, onNotification);
    return {
      unlisten: async () => {
        if (!this.#pg.closed) await unlisten();
      },
    };
  }

  /** The whole database as a tarball (gzip by default), to seed other instances through `loadDataDir`. */
  async dumpDataDir(compression: 'gzip' | 'none' = 'gzip'): Promise<Blob> {
    this.#checkOpen();
    return this.#pg.dumpDataDir(compression);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pg.close();
  }

  #checkOpen(): void {
    if (this.#closed) throw closedStore();
  }
}
