/** Entry checks and encoding shared by the protocol-log adapters. */
import { PortError } from '../ports/errors.ts';
import {
  type AppendOutcome,
  GENESIS_PREV_HASH,
  LOG_HASH_PATTERN,
  type LogEntry,
  type LogHead,
  type ProtocolLogErrorCode,
} from '../ports/protocol-log.ts';

/** Default page size of `read`. */
export const DEFAULT_READ_LIMIT = 1000;

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
