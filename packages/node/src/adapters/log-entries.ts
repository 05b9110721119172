/** Entry checks and encoding shared by the protocol-log adapters. */
import { deepFreeze, isDeeplyFrozen } from '@symphony/protocol';
import { PortError } from '../ports/errors.ts';
import {
  type AppendOutcome,
  type BatchAppendOutcome,
  GENESIS_PREV_HASH,
  LOG_HASH_PATTERN,
  type LogEntry,
  type LogHead,
  type ProtocolLogErrorCode,
} from '../ports/protocol-log.ts';

/** Default page size of `read`. */
export const DEFAULT_READ_LIMIT = 1000;

/**
 * The last `limit` entries an adapter appended or received, by seq, frozen and shared by every
 * reader in the process: a committed entry never changes, so followers read them from memory.
 */
export class RecentEntries {
  readonly #entries = new Map<number, LogEntry>();
  readonly #limit: number;

  constructor(limit = 4096) {
    this.#limit = limit;
  }

  has(seq: number): boolean {
    return this.#entries.has(seq);
  }

  get(seq: number): LogEntry | undefined {
    return this.#entries.get(seq);
  }

  /** Keeps a frozen entry; returns it. */
  keep(entry: LogEntry): LogEntry {
    this.#entries.set(entry.seq, entry);
    this.#entries.delete(entry.seq - this.#limit);
    return entry;
  }

  /** Keeps the stored text's entry at `seq`: the one already kept, else a frozen parse of `json`. */
  keepText(json: string, seq: number): LogEntry {
    return this.#entries.get(seq) ?? this.keep(deepFreeze(decodeEntry(json, seq)));
  }

  /**
   * Keeps an appended entry: the appender's own object when it is already deeply frozen plain data
   * (its JSON text is what was stored), otherwise a frozen parse of the stored text.
   */
  remember(appended: LogEntry, json: string): void {
    this.keep(isDeeplyFrozen(appended) ? appended : deepFreeze(decodeEntry(json, appended.seq)));
  }

  /** The kept entries from `fromSeq` on, up to `limit`, stopping at the first one not kept. */
  prefix(fromSeq: number, limit: number): LogEntry[] {
    const out: LogEntry[] = [];
    for (let seq = fromSeq; out.length < limit; seq++) {
      const e = this.#entries.get(seq);
      if (!e) break;
      out.push(e);
    }
    return out;
  }
}

/** Validates the linkage fields of `entry` and returns its exact JSON text; throws `invalid_entry`. */
export function encodeEntry(entry: LogEntry): string {
  const invalid = (why: string) => new PortError<ProtocolLogErrorCode>('invalid_entry', `invalid log entry: ${why}`);
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw invalid('not a JSON object');
  if (!Number.isSafeInteger(entry.seq) || entry.seq < 0) throw invalid('seq must be a non-negative safe integer');
  if (typeof entry.hash !== 'string' || !LOG_HASH_PATTERN.test(entry.hash))
    throw invalid('hash must be 64 lowercase hex');
  if (typeof entry.prev_hash !== 'string' || !LOG_HASH_PATTERN.test(entry.prev_hash)) {
    throw invalid('prev_hash must be 64 lowercase hex');
  }
  let json: string;
  try {
    json = JSON.stringify(entry);
  } catch (error) {
    throw new PortError<ProtocolLogErrorCode>('invalid_entry', 'invalid log entry: not serializable as JSON', {
      cause: error,
    });
  }
  return json;
}

/**
 * Validates a batch for `appendBatch`: not empty, every entry well formed, each at the previous
 * one's seq + 1 naming its hash. Returns the entries' exact JSON texts; throws `invalid_entry`.
 */
export function encodeBatch(entries: readonly LogEntry[]): string[] {
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new PortError<ProtocolLogErrorCode>('invalid_entry', 'invalid log batch: no entries');
  }
  const texts: string[] = [];
  for (const [i, entry] of entries.entries()) {
    texts.push(encodeEntry(entry));
    const prev = entries[i - 1];
    if (prev && (entry.seq !== prev.seq + 1 || entry.prev_hash !== prev.hash)) {
      throw new PortError<ProtocolLogErrorCode>(
        'invalid_entry',
        `invalid log batch: entry ${i} does not follow entry ${i - 1}`,
      );
    }
  }
  return texts;
}

/** `appendBatch` for adapters without a group commit: one `append` per entry, stopping at the first refusal. */
export async function appendOneByOne(
  entries: readonly LogEntry[],
  append: (entry: LogEntry) => Promise<AppendOutcome>,
): Promise<BatchAppendOutcome> {
  encodeBatch(entries);
  let appended = 0;
  for (const entry of entries) {
    const outcome = await append(entry);
    if (!outcome.ok) return { appended, outcome };
    appended += 1;
  }
  return { appended, outcome: { ok: true, seq: entries[entries.length - 1]!.seq } };
}

/**
 * The outcome of a batch that an atomic adapter did not insert, given the head and the hashes
 * stored at the batch's seqs: entries already stored with the same hash count as appended (a
 * retry), the first other one is refused as `append` would refuse it.
 */
export function batchRefusal(
  entries: readonly LogEntry[],
  head: LogHead | null,
  hashAt: (seq: number) => string | undefined,
): BatchAppendOutcome {
  let appended = 0;
  while (appended < entries.length && hashAt(entries[appended]!.seq) === entries[appended]!.hash) appended += 1;
  if (appended === entries.length) return { appended, outcome: { ok: true, seq: entries[appended - 1]!.seq } };
  const entry = entries[appended]!;
  return { appended, outcome: refusal(entry, head, hashAt(entry.seq)) };
}

/** Parses stored JSON text back into an entry; throws `corrupt_log` when it is not one. */
export function decodeEntry(json: string, expectedSeq?: number): LogEntry {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new PortError<ProtocolLogErrorCode>('corrupt_log', 'stored log entry is not JSON', { cause: error });
  }
  const entry = value as LogEntry;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof entry.seq !== 'number' ||
    typeof entry.hash !== 'string' ||
    (expectedSeq !== undefined && entry.seq !== expectedSeq)
  ) {
    throw new PortError<ProtocolLogErrorCode>('corrupt_log', `stored log entry at ${expectedSeq ?? '?'} is malformed`);
  }
  return entry;
}

/** Throws a `RangeError` unless `fromSeq` is a non-negative safe integer and `limit` a positive one. */
export function checkRead(fromSeq: number, limit: number): void {
  if (!Number.isSafeInteger(fromSeq) || fromSeq < 0) throw new RangeError(`fromSeq must be a non-negative integer`);
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer`);
}

/** The seq the next entry must carry after `head`. */
export function nextSeq(head: LogHead | null): number {
  return head === null ? 0 : head.seq + 1;
}

/** The hash the next entry must name as `prev_hash` after `head`. */
export function expectedPrevHash(head: LogHead | null): string {
  return head === null ? GENESIS_PREV_HASH : head.hash;
}

/**
 * Explains why `entry` was not appended, given the head and the hash stored at `entry.seq`
 * (if any): an idempotent success, a seq conflict or a bad link.
 */
export function refusal(entry: LogEntry, head: LogHead | null, hashAtSeq: string | undefined): AppendOutcome {
  if (hashAtSeq !== undefined && hashAtSeq === entry.hash) return { ok: true, seq: entry.seq };
  if (nextSeq(head) !== entry.seq) return { ok: false, code: 'seq_conflict', head };
  if (expectedPrevHash(head) !== entry.prev_hash) {
    return {
      ok: false,
      code: 'bad_link',
      message: `prev_hash of seq ${entry.seq} is not the hash of ${head === null ? 'the genesis link' : `seq ${head.seq}`}`,
    };
  }
  return { ok: false, code: 'bad_link', message: `hash ${entry.hash} is already in the log` };
}

/** A `closed` error for a log. */
export function closedLog(): PortError<ProtocolLogErrorCode> {
  return new PortError<ProtocolLogErrorCode>('closed', 'protocol log is closed');
}
