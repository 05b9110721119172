import { EncodingError, isDeeplyFrozen } from '../encoding/canonical.ts';
import { domainHash, type Hex64, isHex64 } from '../hashing/domain-hash.ts';

/** `prev_hash` of the first entry of a log (seq 0). */
export const GENESIS_PREV_HASH: Hex64 = '0'.repeat(64);

/** Domain tag of a log entry hash. */
export const LOG_ENTRY_DOMAIN_TAG = 'scp/v1/log-entry';

/**
 * One entry of the hash-chained protocol log. `seq` starts at 0 and has no gaps; `time_ms` is
 * the ordering master's time (integer ms, never decreasing along the log); `origin` is the id of
 * the master that ordered the entry; `hash` is {@link entryHash} of every other field.
 */
export type LogEntry<E> = {
  schema_version: 1;
  seq: number;
  prev_hash: Hex64;
  time_ms: number;
  epoch_id: number;
  origin: string;
  event: E;
  hash: Hex64;
};

/** The hashed part of a {@link LogEntry}. */
export type LogEntryBody<E> = Omit<LogEntry<E>, 'hash'>;

/** What a master supplies to append an entry; the chain fields are derived. */
export type LogEntryInput<E> = { time_ms: number; epoch_id: number; origin: string; event: E };

/** The last verified entry of a chain. */
export type ChainHead = { seq: number; hash: Hex64 };

/** A trusted point to continue from; with `time_ms`, the next entry's time is checked against it too. */
export type ChainAnchor = { seq: number; hash: Hex64; time_ms?: number };

/** Why {@link verifyChain} rejected an entry. */
export const CHAIN_FAILURE_REASONS = [
  'bad_seq',
  'bad_prev_hash',
  'bad_hash',
  'time_went_backwards',
  'malformed',
] as const;

/** One of {@link CHAIN_FAILURE_REASONS}. */
export type ChainFailureReason = (typeof CHAIN_FAILURE_REASONS)[number];

/** Outcome of {@link verifyChain}: the new head, or the seq the first bad entry should have had and why. */
export type ChainVerification =
  | { ok: true; head: ChainHead | undefined }
  | { ok: false; seq: number; reason: ChainFailureReason };

const ENTRY_KEYS = ['schema_version', 'seq', 'prev_hash', 'time_ms', 'epoch_id', 'origin', 'event', 'hash'] as const;

function isCount(n: unknown): n is number {
  return Number.isSafeInteger(n) && (n as number) >= 0;
}

/** Hash of a log entry: domainHash('scp/v1/log-entry', body), over exactly the body fields. */
export function entryHash<E>(body: LogEntryBody<E>): Hex64 {
  return domainHash(LOG_ENTRY_DOMAIN_TAG, {
    schema_version: body.schema_version,
    seq: body.seq,
    prev_hash: body.prev_hash,
    time_ms: body.time_ms,
    epoch_id: body.epoch_id,
    origin: body.origin,
    event: body.event,
  });
}

function invalidEntry(message: string, path: string): never {
  throw new EncodingError('invalid_log_entry', message, path);
}

/**
 * Seals the entry that follows `prev` (or the genesis entry when `prev` is undefined). Passing
 * the previous entry itself also checks that time does not go backwards. Throws EncodingError
 * `invalid_log_entry` on a malformed field and `non_canonical_value` if the event cannot be
 * canonically encoded. The entry keeps a reference to `event`: do not mutate it afterwards.
 */
export function sealEntry<E>(prev: ChainAnchor | undefined, body: LogEntryInput<E>): LogEntry<E> {
  if (prev !== undefined) {
    if (!isCount(prev.seq)) invalidEntry('previous seq must be a non-negative safe integer', '/prev/seq');
    if (!isHex64(prev.hash)) invalidEntry('previous hash must be 64 lowercase hex characters', '/prev/hash');
  }
  if (!isCount(body.time_ms)) invalidEntry('time_ms must be a non-negative safe integer', '/time_ms');
  if (!isCount(body.epoch_id)) invalidEntry('epoch_id must be a non-negative safe integer', '/epoch_id');
  if (typeof body.origin !== 'string' || body.origin.length === 0) {
    invalidEntry('origin must be a non-empty string', '/origin');
  }
  if (prev?.time_ms !== undefined && body.time_ms < prev.time_ms) {
    invalidEntry('time_ms is earlier than the previous entry', '/time_ms');
  }
  const entryBody: LogEntryBody<E> = {
    schema_version: 1,
    seq: prev === undefined ? 0 : prev.seq + 1,
    prev_hash: prev === undefined ? GENESIS_PREV_HASH : prev.hash,
    time_ms: body.time_ms,
    epoch_id: body.epoch_id,
    origin: body.origin,
    event: body.event,
  };
  return { ...entryBody, hash: entryHash(entryBody) };
}

/** Hashes of deeply frozen entries (which cannot change), so each is hashed once per process. */
const frozenEntryHashes = new WeakMap<object, Hex64>();

/** `entryHash` of `copy`, a copy of `original`; computed once for a deeply frozen original. */
function verifiedHash(original: object, copy: LogEntry<unknown>): Hex64 {
  if (!isDeeplyFrozen(original)) return entryHash(copy);
  let hash = frozenEntryHashes.get(original);
  if (hash === undefined) {
    hash = entryHash(copy);
    frozenEntryHashes.set(original, hash);
  }
  return hash;
}

/** The failure reason, or the verified entry's hash and time (read once, so getters cannot change them). */
function checkEntry(
  value: unknown,
  seq: number,
  prevHash: Hex64,
  prevTime: number | undefined,
): ChainFailureReason | { hash: Hex64; time_ms: number } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'malformed';
  const e = { ...value } as LogEntry<unknown>;
  const keys = Object.keys(e);
  if (keys.length !== ENTRY_KEYS.length || !ENTRY_KEYS.every((k) => Object.hasOwn(e, k))) return 'malformed';
  if (e.schema_version !== 1 || !isCount(e.seq) || !isHex64(e.prev_hash) || !isHex64(e.hash)) return 'malformed';
  if (!isCount(e.time_ms) || !isCount(e.epoch_id) || typeof e.origin !== 'string' || e.origin.length === 0) {
    return 'malformed';
  }
  if (e.seq !== seq) return 'bad_seq';
  if (e.prev_hash !== prevHash) return 'bad_prev_hash';
  if (verifiedHash(value, e) !== e.hash) return 'bad_hash';
  if (prevTime !== undefined && e.time_ms < prevTime) return 'time_went_backwards';
  return { hash: e.hash, time_ms: e.time_ms };
}

/**
 * Verifies a run of log entries: from genesis (seq 0, {@link GENESIS_PREV_HASH}) or, with
 * `from`, as the continuation of that trusted entry. Stops at the first bad entry and names the
 * seq it should have had. Never throws: anything that is not a well-formed entry is `malformed`
 * (so is a malformed `from`, reported at its next seq, or 0).
 */
export function verifyChain(entries: readonly LogEntry<unknown>[], from?: ChainAnchor): ChainVerification {
  let seq = 0;
  try {
    let prevHash = GENESIS_PREV_HASH;
    let prevTime: number | undefined;
    let head: ChainHead | undefined;
    if (from !== undefined) {
      if (typeof from !== 'object' || from === null || !isCount(from.seq))
        return { ok: false, seq, reason: 'malformed' };
      seq = from.seq + 1;
      if (!isHex64(from.hash) || (from.time_ms !== undefined && !isCount(from.time_ms))) {
        return { ok: false, seq, reason: 'malformed' };
      }
      prevHash = from.hash;
      prevTime = from.time_ms;
      head = { seq: from.seq, hash: from.hash };
    }
    if (!Array.isArray(entries)) return { ok: false, seq, reason: 'malformed' };
    for (let i = 0; i < entries.length; i++, seq++) {
      const checked = checkEntry(entries[i], seq, prevHash, prevTime);
      if (typeof checked === 'string') return { ok: false, seq, reason: checked };
      prevHash = checked.hash;
      prevTime = checked.time_ms;
      head = { seq, hash: checked.hash };
    }
    return { ok: true, head };
  } catch {
    return { ok: false, seq, reason: 'malformed' };
  }
}
