/**
 * `Store` on PostgreSQL through a `pg` pool. Transactions run at SERIALIZABLE and are retried
 * on a serialization failure or deadlock, so read-modify-write code never loses an update.
 * Notifications use one extra, dedicated connection, opened on the first `listen`. Bulk loads
 * stream `COPY ... FROM STDIN` on the transaction's connection (`pg-copy-streams`).
 */
import { once } from 'node:events';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import type { Migration, Store, StoreDb, StoreListener, StoreQuery, StoreTx, StoreTxDb } from '../ports/store.ts';
import { applyMigrations, checkChannel, checkMigrations, closedStore, type MigrationTx } from './sql-migrations.ts';

/** Options of `PostgresStore.open`. */
export type PostgresStoreOptions = {
  /** `postgres://user@host:port/database`. */
  readonly connectionString: string;
  /** Pool size (default 10). */
  readonly maxConnections?: number;
  /** Attempts of one transaction across serialization failures and deadlocks (default 40). */
  readonly maxTransactionAttempts?: number;
  /** Called with errors of idle connections (which would otherwise crash the process); default: ignored. */
  readonly onConnectionError?: (error: Error) => void;
};

type Isolation = 'serializable' | 'read committed';

const INT8 = 20;
const INT8_ARRAY = 1016;
const RETRYABLE = new Set(['40001', '40P01']);

/** int8 as bigint (and int8[] as bigint[]), the same as the PGlite adapter. */
const typeParsers = {
  getTypeParser(oid: number, format?: string): (value: string) => unknown {
    if (oid === INT8) return (value) => BigInt(value);
    const base = pg.types.getTypeParser(oid, (format ?? 'text') as 'text');
    if (oid === INT8_ARRAY) return (value) => toBigInts(base(value));
    return base;
  },
};

function toBigInts(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toBigInts);
  return typeof value === 'string' ? BigInt(value) : value;
}

/** `Store` over PostgreSQL. Use `PostgresStore.open`. */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly copies = true;
  readonly db: StoreDb;
  readonly #pool: pg.Pool;
  readonly #opts: PostgresStoreOptions;
  readonly #channels = new Map<string, Set<(payload: string) => void>>();
  #listener: Promise<pg.Client> | undefined;
  #closed = false;

  private constructor(pool: pg.Pool, opts: PostgresStoreOptions) {
    this.#pool = pool;
    this.#opts = opts;
    this.db = drizzle({ client: pool }) as unknown as StoreDb;
  }

  /** Connects (and checks the connection once). */
  static async open(opts: PostgresStoreOptions): Promise<PostgresStore> {
    const pool = new pg.Pool({
      connectionString: opts.connectionString,
      max: opts.maxConnections ?? 10,
      types: typeParsers,
    });
    pool.on('error', (error) => opts.onConnectionError?.(error));
    try {
      await pool.query('select 1');
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresStore(pool, opts);
  }

  readonly query: StoreQuery = async (sql, params) => {
    this.#checkOpen();
    const result = await this.#pool.query(sql, params ? [...params] : undefined);
    return result.rows;
  };

  async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const maxAttempts = this.#opts.maxTransactionAttempts ?? 40;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#run('serializable', fn);
      } catch (error) {
        if (attempt >= maxAttempts || !isRetryable(error)) throw error;
        await delay(Math.random() * Math.min(100, 2 ** attempt));
      }
    }
  }

  async migrate(migrations: readonly Migration[]): Promise<void> {
    checkMigrations(migrations);
    // READ COMMITTED: after waiting for the advisory lock, each statement sees what the previous
    // migrator committed (a serializable snapshot taken before the wait would not).
    await this.#run('read committed', (tx) => applyMigrations(tx, migrations));
  }

  async listen(channel: string, onNotification: (payload: string) => void): Promise<StoreListener> {
    this.#checkOpen();
    checkChannel(channel);
    let callbacks = this.#channels.get(channel);
    const first = callbacks === undefined;
    if (!callbacks) {
      callbacks = new Set();
      this.#channels.set(channel, callbacks);
    }
    callbacks.add(onNotification);
    const registered = callbacks;
    const unlisten = async () => {
      registered.delete(onNotification);
      if (registered.size > 0 || this.#channels.get(channel) !== registered) return;
      this.#channels.delete(channel);
      const current = await this.#listener?.catch(() => undefined);
      await current?.query(`unlisten ${channel}`).catch(() => {});
    };
    try {
      const client = await this.#listenClient();
      if (first) await client.query(`listen ${channel}`);
    } catch (error) {
      await unlisten();
      throw error;
    }
    return { unlisten };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const listener = await this.#listener?.catch(() => undefined);
    this.#listener = undefined;
    await listener?.end().catch(() => {});
    await this.#pool.end();
  }

  async #run<T>(isolation: Isolation, fn: (tx: StoreTx & MigrationTx) => Promise<T>): Promise<T> {
    this.#checkOpen();
    const client = await this.#pool.connect();
    const noError = Symbol('none');
    let bodyError: unknown = noError;
    let healthy = true;
    try {
      const db = drizzle({ client });
      return await db.transaction(
        async (dtx) => {
          try {
            return await fn({
              db: dtx as unknown as StoreTxDb,
              query: async (sql, params) => (await client.query(sql, params ? [...params] : undefined)).rows,
              exec: async (sql) => {
                await client.query(sql);
              },
              copyFrom: async (table, columns, data, format) => {
                const stream = client.query(
                  copyFromStdin(`copy ${table} (${columns.join(', ')}) from stdin with (format ${format})`),
                );
                // 'finish' once the server has the rows; its error (a bad row, a unique violation) rejects instead.
                const finished = once(stream, 'finish');
                stream.end(data);
                await finished;
              },
            });
          } catch (error) {
            bodyError = error;
            throw error;
          }
        },
        { isolationLevel: isolation },
      );
    } catch (error) {
      // The body's own error means drizzle rolled back fine; a server-reported error leaves the
      // connection usable; anything else (a dead socket, a failed rollback) retires the connection.
      if (error !== bodyError && sqlState(error) === undefined) healthy = false;
      throw error;
    } finally {
      client.release(healthy ? undefined : true);
    }
  }

  #listenClient(): Promise<pg.Client> {
    this.#listener ??= (async () => {
      const client = new pg.Client({ connectionString: this.#opts.connectionString });
      const drop = (error?: Error) => {
        if (error) this.#opts.onConnectionError?.(error);
        if (this.#listener === connecting) this.#listener = undefined;
      };
      client.on('error', drop);
      client.on('end', () => drop());
      client.on('notification', (msg) => {
        for (const callback of this.#channels.get(msg.channel) ?? []) callback(msg.payload ?? '');
      });
      await client.connect();
      // A replacement connection re-subscribes to the channels its predecessor had.
      for (const channel of this.#channels.keys()) await client.query(`listen ${channel}`);
      return client;
    })();
    const connecting = this.#listener;
    connecting.catch(() => {
      if (this.#listener === connecting) this.#listener = undefined;
    });
    return connecting;
  }

  #checkOpen(): void {
    if (this.#closed) throw closedStore();
  }
}

/** The SQLSTATE of a server-reported error, looking through drizzle's wrapping. */
function sqlState(error: unknown): string | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown; severity?: unknown }).code;
    if (typeof code === 'string' && typeof (e as { severity?: unknown }).severity === 'string') return code;
  }
  return undefined;
}

function isRetryable(error: unknown): boolean {
  const state = sqlState(error);
  return state !== undefined && RETRYABLE.has(state);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
