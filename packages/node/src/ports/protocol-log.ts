/**
 * `ProtocolLog`: the ordered, append-only, hash-chained log every protocol-visible event lives in
 * (DESIGN.md section 3). The protocol package computes hashes; the log only enforces linkage:
 * an entry lands at `head.seq + 1` and names `head.hash` as its `prev_hash`, atomically.
 */

/** `prev_hash` of the entry at seq 0. */
export const GENESIS_PREV_HASH = '0'.repeat(64);

/** The form of `hash` and `prev_hash`: a lowercase hex SHA-256. */
export const LOG_HASH_PATTERN = /^[0-9a-f]{64}$/;

/** One log entry: a JSON object with at least its position and its links. */
export type LogEntry = {
  readonly seq: number;
  readonly prev_hash: string;
  readonly hash: string;
  readonly [field: string]: unknown;
};

/** The last entry's position and hash. */
export type LogHead = { readonly seq: number; readonly hash: string };

/** The result of `append`. Refusals are expected outcomes, not errors. */
export type AppendOutcome =
  | { readonly ok: true; readonly seq: number }
  /** `entry.seq` is not `head.seq + 1`: another writer got there first (or the writer is ahead). */
  | { readonly ok: false; readonly code: 'seq_conflict'; readonly head: LogHead | null }
  /** The seq is right but `prev_hash` is not the head's hash, or the hash is already in the log. */
  | { readonly ok: false; readonly code: 'bad_link'; readonly message: string };

/**
 * The result of `appendBatch`. The entries in the log after it are always a prefix of the batch
 * (adapters that can append atomically append all or none).
 */
export type BatchAppendOutcome = {
  /** How many entries, from the first, are now in the log (all of them on success). */
  readonly appended: number;
  /** `ok` with the last entry's seq when every entry is in; otherwise why `entries[appended]` was refused. */
  readonly outcome: AppendOutcome;
};

/** Stable codes of the errors a log throws (refused appends are outcomes, not errors). */
export const protocolLogErrorCodes = ['closed', 'invalid_entry', 'corrupt_log'] as const;
/** Stable codes of the errors a log throws. */
export type ProtocolLogErrorCode = (typeof protocolLogErrorCodes)[number];

/** Options of `follow`. */
export type FollowOptions = {
  /** How long the follower may sleep between checks when nothing wakes it (adapter default otherwise). */
  readonly pollIntervalMs?: number;
};

/** A running `follow`. */
export type LogFollower = {
  /** Stops delivery; resolves once no `onEntry` call is running. */
  stop(): Promise<void>;
  /** Resolves when stopped; rejects with the error when `onEntry` threw (delivery stops there). */
  readonly done: Promise<void>;
};

/** The ordered, append-only, hash-chained protocol log. */
export interface ProtocolLog {
  /**
   * Appends `entry` only if `entry.seq` is `head.seq + 1` (0 on an empty log) and
   * `entry.prev_hash` is the head's hash (`GENESIS_PREV_HASH` at seq 0), as one atomic
   * compare-and-append: of concurrent writers at one seq, exactly one wins. Re-appending the
   * entry already stored at `entry.seq` (same hash) succeeds again, so a retry is safe.
   * The entry is stored as its exact `JSON.stringify` text. Throws `invalid_entry` when `seq` is
   * not a non-negative safe integer or a hash is not 64 lowercase hex digits.
   */
  append(entry: LogEntry): Promise<AppendOutcome>;
  /**
   * Appends a chain of entries (each at the previous one's `seq + 1`, naming its hash as
   * `prev_hash`; the first as `append` would take it) as one group commit where the adapter can
   * (SQL: one statement, so all or none), otherwise entry by entry, stopping at the first refusal.
   * An entry is durable once the call resolves with it counted in `appended`. Re-appending entries
   * already stored (same hashes) succeeds again. Throws `invalid_entry` for an empty batch, a
   * malformed entry, or entries that do not chain.
   */
  appendBatch(entries: readonly LogEntry[]): Promise<BatchAppendOutcome>;
  /** Up to `limit` (default 1000) entries from `fromSeq` on, in order, with no gap. */
  read(fromSeq: number, limit?: number): Promise<LogEntry[]>;
  /** The last entry's seq and hash, or null on an empty log. */
  head(): Promise<LogHead | null>;
  /**
   * Delivers every entry from `fromSeq` on, in order, exactly once each: the history first, then
   * new entries as they are appended. Each `onEntry` call finishes before the next starts.
   */
  follow(fromSeq: number, onEntry: (entry: LogEntry) => Promise<void> | void, opts?: FollowOptions): LogFollower;
  /** Stops every follower and releases what the adapter owns (never a store or connection it was given). */
  close(): Promise<void>;
}
