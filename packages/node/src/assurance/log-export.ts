/**
 * The log export format (NDJSON, one JSON value per line): a header line, then every protocol log
 * entry from genesis exactly as stored (hash-chained), each checkpoint line right after the entry it
 * describes, and a last `head` line with the exporting node's folded head.
 *
 *   {"format":"scp-log-export","version":1,"network_id":"…"}
 *   {"schema_version":1,"seq":0,"prev_hash":"000…","time_ms":…,"epoch_id":1,"origin":"…","event":{…},"hash":"…"}
 *   {"checkpoint":{"seq":41,"entry_hash":"…","epoch_id":1,"settlement":{…},"reward_ledger_hash":"…","payouts_hash":"…"}}
 *   {"head":{"seq":…,"entry_hash":"…","state_hash":"…","settlements":[…],"reward_ledger_hash":"…","payouts_hash":"…"}}
 */
import {
  apply,
  type Checkpoint,
  checkpointEpochOf,
  checkpointOf,
  type Entry,
  type EpochCheckpoint,
  emptyState,
  epochCheckpointOf,
} from '@symphony/protocol';

export const LOG_EXPORT_FORMAT = 'scp-log-export';
export const LOG_EXPORT_VERSION = 1;

export type LogExportHeader = { format: typeof LOG_EXPORT_FORMAT; version: 1; network_id: string };

/** One parsed line of an export. */
export type LogExportLine =
  | { kind: 'header'; header: LogExportHeader }
  | { kind: 'entry'; entry: Record<string, unknown> }
  | { kind: 'checkpoint'; checkpoint: EpochCheckpoint }
  | { kind: 'head'; checkpoint: Checkpoint };

export const headerLine = (network_id: string): string =>
  JSON.stringify({ format: LOG_EXPORT_FORMAT, version: LOG_EXPORT_VERSION, network_id });
export const entryLine = (entry: unknown): string => JSON.stringify(entry);
export const checkpointLine = (checkpoint: EpochCheckpoint): string => JSON.stringify({ checkpoint });
export const headLine = (checkpoint: Checkpoint): string => JSON.stringify({ head: checkpoint });

/** Parses one line; throws an Error saying what is wrong with it. */
export function parseExportLine(text: string, first: boolean): LogExportLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('is not a JSON object');
  const v = value as Record<string, unknown>;
  if (first) {
    if (v.format !== LOG_EXPORT_FORMAT || v.version !== LOG_EXPORT_VERSION || typeof v.network_id !== 'string')
      throw new Error(`is not a ${LOG_EXPORT_FORMAT} v${LOG_EXPORT_VERSION} header`);
    return { kind: 'header', header: v as LogExportHeader };
  }
  if ('checkpoint' in v && Object.keys(v).length === 1)
    return { kind: 'checkpoint', checkpoint: v.checkpoint as EpochCheckpoint };
  if ('head' in v && Object.keys(v).length === 1) return { kind: 'head', checkpoint: v.head as Checkpoint };
  if ('seq' in v && 'hash' in v) return { kind: 'entry', entry: v };
  throw new Error('is neither a log entry, a checkpoint nor the head');
}

/**
 * The export of a log held in memory: folds `entries` from genesis and yields every line, with a
 * checkpoint wherever a node records one (`checkpointEpochOf`) and the head at the end.
 */
export function* exportLinesOf(entries: Iterable<Entry>): Generator<string> {
  const state = emptyState();
  let first = true;
  for (const entry of entries) {
    const outcome = apply(state, entry);
    if (outcome.kind === 'fatal') throw new Error(`entry ${outcome.seq} is fatal: ${outcome.refusal.code}`);
    if (first) {
      yield headerLine(state.network_id);
      first = false;
    }
    yield entryLine(entry);
    const epoch = outcome.kind === 'applied' ? checkpointEpochOf(state, entry) : undefined;
    if (epoch !== undefined) yield checkpointLine(epochCheckpointOf(state, epoch));
  }
  if (!first) yield headLine(checkpointOf(state));
}
