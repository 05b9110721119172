/**
 * The protocol log as a table of a `Store` (PGlite or PostgreSQL). One statement appends an entry
 * only when the previous one is the committed head, and the primary key on `seq` lets exactly one
 * of concurrent writers through. Followers poll, woken early by `pg_notify` on each append.
 */
import {
  type AppendOutcome,
  type BatchAppendOutcome,
  type FollowOptions,
  GENESIS_PREV_HASH,
  type LogEntry,
  type LogFollower,
  type LogHead,
  type ProtocolLog,
} from '../ports/protocol-log.ts';
import type { Store, StoreListener } from '../ports/store.ts';
import {
  batchRefusal,
  checkRead,
  closedLog,
  DEFAULT_READ_LIMIT,
  decodeEntry,
  encodeBatch,
  encodeEntry,
  RecentEntries,
  refusal,
} from './log-entries.ts';
import { FollowerSet, startPollingFollower } from './log-follower.ts';

/** Options of `SqlProtocolLog.open`. */
export type SqlProtocolLogOptions = {
  /** The store holding the table; the log never closes it. */
  readonly store: Store;
  /** Table name (default `protocol_log`); also the notification channel. */
  readonly table?: string;
  /** Followers' poll interval when no notification wakes them (default 250 ms). */
  readonly pollIntervalMs?: number;
};

const TABLE = /^[a-z_][a-z0-9_]{0,62}$/;

/** `ProtocolLog` over a SQL table: `(seq bigint primary key, hash text unique, prev_hash, entry text)`. */
export class SqlProtocolLog implements ProtocolLog {
  readonly #store: Store;
  readonly #table: string;
  readonly #pollIntervalMs: number;
  readonly #followers = new FollowerSet();
  /** Entries this instance appended, read by followers in this process instead of the database. */
  readonly #recent = new RecentEntries();
  readonly #localWakes = new Set<() => void>();
  /** Seqs this instance is appending now: their notifications are answered by the local wake. */
  readonly #appending = new Set<number>();
  readonly #sql: {
    append: string;
    head: string;
    hashAt: string;
    hashesFrom: string;
    read: string;
  };
  /** The group-commit statement by number of entries. */
  readonly #appendBatchSqls = new Map<number, string>();
  #closed = false;

  private constructor(opts: SqlProtocolLogOptions, table: string) {
    this.#store = opts.store;
    this.#table = table;
    this.#pollIntervalMs = opts.pollIntervalMs ?? 250;
    const t = table;
    this.#sql = {
      // One statement: insert only if the committed head is (seq - 1, prev_hash); conflicting
      // writers at one seq (or a reused hash) insert nothing. pg_notify is delivered on commit.
      append: `with head as (select seq, hash from ${t} order by seq desc limit 1),
        ins as (
          insert into ${t} (seq, hash, prev_hash, entry)
          select $1::bigint, $2::text, $3::text, $4::text
          where coalesce((select seq from head), -1) = $1::bigint - 1
            and coalesce((select hash from head), '${GENESIS_PREV_HASH}') = $3::text
          on conflict do nothing
          returning seq
        )
        select seq, pg_notify('${t}', seq::text) as notified from ins`,
      head: `select seq, hash from ${t} order by seq desc limit 1`,
      hashesFrom: `select seq, hash from ${t} where seq >= $1 order by seq limit $2`,
      hashAt: `select hash from ${t} where seq = $1`,
      read: `select seq, entry from ${t} where seq >= $1 order by seq limit $2`,
    };
  }

  /** Creates the table when missing (as a store migration) and returns the log. */
  static async open(opts: SqlProtocolLogOptions): Promise<SqlProtocolLog> {
    const table = opts.table ?? 'protocol_log';
    if (!TABLE.test(table)) throw new RangeError(`invalid table name ${JSON.stringify(table)}`);
    await opts.store.migrate([
      {
        id: `${table}/001-create`,
        sql: `create table ${table} (
          seq bigint primary key check (seq >= 0),
          hash text unique not null,
          prev_hash text not null,
          entry text not null
        )`,
      },
    ]);
    return new SqlProtocolLog(opts, table);
  }

  async append(entry: LogEntry): Promise<AppendOutcome> {
    this.#checkOpen();
    const json = encodeEntry(entry);
    this.#appending.add(entry.seq);
    let inserted: unknown[];
    try {
      inserted = await this.#store.query(this.#sql.append, [entry.seq, entry.hash, entry.prev_hash, json]);
    } finally {
      this.#appending.delete(entry.seq);
    }
    if (inserted.length === 1) {
      this.#recent.remember(entry, json);
      for (const wake of this.#localWakes) wake();
      return { ok: true, seq: entry.seq };
    }
    const [head, at] = await Promise.all([
      this.head(),
      this.#store.query<{ hash: string }>(this.#sql.hashAt, [entry.seq]),
    ]);
    return refusal(entry, head, at[0]?.hash);
  }

  async appendBatch(entries: readonly LogEntry[]): Promise<BatchAppendOutcome> {
    this.#checkOpen();
    const texts = encodeBatch(entries);
    const first = entries[0]!;
    const last = entries[entries.length - 1]!;
    for (const e of entries) this.#appending.add(e.seq);
    let inserted = false;
    try {
      const params: unknown[] = [first.seq, first.prev_hash];
      for (const [i, e] of entries.entries()) params.push(e.seq, e.hash, e.prev_hash, texts[i]);
      const rows = await this.#store.query(this.#appendBatchSql(entries.length), params);
      inserted = rows.length === 1;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    } finally {
      for (const e of entries) this.#appending.delete(e.seq);
    }
    if (inserted) {
      for (const [i, e] of entries.entries()) this.#recent.remember(e, texts[i]!);
      for (const wake of this.#localWakes) wake();
      return { appended: entries.length, outcome: { ok: true, seq: last.seq } };
    }
    const [head, stored] = await Promise.all([
      this.head(),
      this.#store.query<{ seq: bigint; hash: string }>(this.#sql.hashesFrom, [first.seq, entries.length]),
    ]);
    const hashes = new Map(stored.map((r) => [Number(r.seq), r.hash]));
    const result = batchRefusal(entries, head, (seq) => hashes.get(seq));
    // A retry whose first entries are already stored: append the rest.
    if (!result.outcome.ok && result.appended > 0 && head?.seq === entries[result.appended - 1]!.seq) {
      const rest = await this.appendBatch(entries.slice(result.appended));
      return { appended: result.appended + rest.appended, outcome: rest.outcome };
    }
    return result;
  }

  /**
   * A group commit of `n` entries: the whole chain in one statement, only if its first entry
   * follows the committed head (`$1` its seq, `$2` its prev_hash; then seq, hash, prev_hash and
   * entry text of each entry). No `on conflict do nothing` here: a row that collides (a concurrent
   * writer at one of these seqs, a reused hash) fails the statement, so it inserts all or nothing.
   * Each entry is its own parameter, not an element of a text array: encoding and parsing a
   * `text[]` of JSON texts (every quote escaped) cost several times the insert itself.
   */
  #appendBatchSql(n: number): string {
    let sql = this.#appendBatchSqls.get(n);
    if (sql === undefined) {
      const t = this.#table;
      const rows = Array.from(
        { length: n },
        (_, i) => `($${4 * i + 3}::bigint, $${4 * i + 4}::text, $${4 * i + 5}::text, $${4 * i + 6}::text)`,
      );
      sql = `with head as (select seq, hash from ${t} order by seq desc limit 1),
        ins as (
          insert into ${t} (seq, hash, prev_hash, entry)
          select x.seq, x.hash, x.prev_hash, x.entry
          from (values ${rows.join(', ')}) as x(seq, hash, prev_hash, entry)
          where coalesce((select seq from head), -1) = $1::bigint - 1
            and coalesce((select hash from head), '${GENESIS_PREV_HASH}') = $2::text
          returning seq
        )
        select count(*)::int as n, pg_notify('${t}', max(seq)::text) as notified from ins having count(*) > 0`;
      this.#appendBatchSqls.set(n, sql);
    }
    return sql;
  }

  async read(fromSeq: number, limit = DEFAULT_READ_LIMIT): Promise<LogEntry[]> {
    this.#checkOpen();
    checkRead(fromSeq, limit);
    const cached = this.#recent.prefix(fromSeq, limit);
    if (cached.length > 0) return cached;
    const rows = await this.#store.query<{ seq: bigint; entry: string }>(this.#sql.read, [fromSeq, limit]);
    const entries: LogEntry[] = [];
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== fromSeq + entries.length) break;
      entries.push(decodeEntry(row.entry, seq));
    }
    return entries;
  }

  async head(): Promise<LogHead | null> {
    this.#checkOpen();
    const [row] = await this.#store.query<{ seq: bigint; hash: string }>(this.#sql.head);
    return row ? { seq: Number(row.seq), hash: row.hash } : null;
  }

  follow(fromSeq: number, onEntry: (entry: LogEntry) => Promise<void> | void, opts?: FollowOptions): LogFollower {
    this.#checkOpen();
    checkRead(fromSeq, 1);
    const follower = startPollingFollower({
      fromSeq,
      onEntry,
      read: (from, limit) => this.read(from, limit),
      subscribeWake: async (wake) => {
        this.#localWakes.add(wake);
        // Another writer's append wakes the follower; our own is announced by the local wake.
        const listener: StoreListener = await this.#store.listen(this.#table, (payload) => {
          const seq = Number(payload);
          if (!this.#appending.has(seq) && !this.#recent.has(seq)) wake();
        });
        return () => {
          this.#localWakes.delete(wake);
          return listener.unlisten().catch(() => {});
        };
      },
      pollIntervalMs: opts?.pollIntervalMs ?? this.#pollIntervalMs,
    });
    return this.#followers.add(follower);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#followers.stopAll();
  }

  #checkOpen(): void {
    if (this.#closed) throw closedLog();
  }
}

/** Whether a store error is PostgreSQL's unique_violation (SQLSTATE 23505). */
function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}
