/**
 * Replay: a fresh node folds an exported log (see `log-export.ts`) into a new protocol log and
 * state, checking the hash chain entry by entry, every epoch checkpoint the exporting node recorded
 * (settlement state and roots, the epoch's reward ledger and payout intents) and the head (the whole
 * state hash, every settlement, the whole ledger), byte for byte through their hashes. It stops at the first entry or checkpoint that differs and names it.
 */
import {
  type Checkpoint,
  checkpointDifference,
  checkpointOf,
  deepFreeze,
  type Entry,
  epochCheckpointDifference,
  epochCheckpointOf,
  verifyChain,
} from '@symphony/protocol';
import { StateFollower } from '../coordination/state-follower.ts';
import type { LogEntry, ProtocolLog } from '../ports/protocol-log.ts';
import { type LogExportLine, parseExportLine } from './log-export.ts';

/** Why a replay stopped. */
export type ReplayFailureCode =
  | 'bad_line'
  | 'chain_broken'
  | 'log_refused'
  | 'fold_failed'
  | 'checkpoint_mismatch'
  | 'truncated'
  | 'not_empty';

export type ReplayOutcome =
  | {
      ok: true;
      network_id: string;
      entries: number;
      checkpoints: number;
      head: Checkpoint;
    }
  | {
      ok: false;
      code: ReplayFailureCode;
      /** The log position concerned (the entry that differs), when there is one. */
      seq?: number;
      /** The 1-based line of the export. */
      line: number;
      message: string;
    };

export type ReplayOptions = {
  /** The fresh node's log (must be empty). */
  log: ProtocolLog;
  /** Called every `progressEvery` entries (default 1000) with the count folded so far. */
  onProgress?: (entries: number) => void;
  progressEvery?: number;
  /** Entries appended per batch (default 500). */
  batchSize?: number;
};

/** Replays the export whose lines `lines` yields (without line terminators). */
export async function replayExport(lines: AsyncIterable<string>, opts: ReplayOptions): Promise<ReplayOutcome> {
  if ((await opts.log.head()) !== null)
    return { ok: false, code: 'not_empty', line: 0, message: 'the replay log is not empty: use a new data folder' };
  const follower = new StateFollower(opts.log);
  const every = opts.progressEvery ?? 1000;
  const batchSize = opts.batchSize ?? 500;
  let batch: LogEntry[] = [];
  let lineNo = 0;
  let network_id = '';
  let entries = 0;
  let checkpoints = 0;
  let head: Checkpoint | undefined;
  const expectedSeq = () => follower.nextSeq;
  const fail = (code: ReplayFailureCode, message: string, seq?: number): ReplayOutcome => ({
    ok: false,
    code,
    line: lineNo,
    message,
    ...(seq !== undefined ? { seq } : {}),
  });
  const flush = async (): Promise<ReplayOutcome | undefined> => {
    if (batch.length === 0) return undefined;
    const { appended, outcome } = await opts.log.appendBatch(batch);
    const firstSeq = batch[0]!.seq;
    batch = [];
    if (!outcome.ok)
      return fail(
        'log_refused',
        `the new log refused entry ${firstSeq + appended}: ${outcome.code}`,
        firstSeq + appended,
      );
    return undefined;
  };

  for await (const raw of lines) {
    lineNo++;
    if (raw.trim() === '') {
      return fail(
        'bad_line',
        `line ${lineNo} is empty (the entry expected there is seq ${expectedSeq()})`,
        expectedSeq(),
      );
    }
    if (head) return fail('bad_line', `line ${lineNo} follows the head line`);
    let parsed: LogExportLine;
    try {
      parsed = parseExportLine(raw, lineNo === 1);
    } catch (error) {
      return fail(
        'bad_line',
        `line ${lineNo} ${(error as Error).message}${lineNo === 1 ? '' : ` (the entry expected there is seq ${expectedSeq()})`}`,
        lineNo === 1 ? undefined : expectedSeq(),
      );
    }
    if (parsed.kind === 'header') {
      network_id = parsed.header.network_id;
      continue;
    }
    if (parsed.kind === 'entry') {
      const state = follower.state;
      const from = state.head ? { ...state.head, time_ms: state.last_time_ms } : undefined;
      // Frozen, as the node's own log hands out entries: the fold then reuses the hash checked here.
      deepFreeze(parsed.entry);
      const chain = verifyChain([parsed.entry as unknown as Entry], from);
      if (!chain.ok) {
        return fail(
          'chain_broken',
          `entry ${chain.seq} (line ${lineNo}) breaks the hash chain: ${chain.reason}`,
          chain.seq,
        );
      }
      const entry = parsed.entry as unknown as Entry;
      try {
        follower.apply(entry);
      } catch (error) {
        return fail(
          'fold_failed',
          `entry ${entry.seq} (line ${lineNo}) cannot be folded: ${(error as Error).message}`,
          entry.seq,
        );
      }
      batch.push(entry as unknown as LogEntry);
      entries++;
      if (batch.length >= batchSize) {
        const refused = await flush();
        if (refused) return refused;
      }
      if (entries % every === 0) opts.onProgress?.(entries);
      continue;
    }
    const state = follower.state;
    if (!state.head) return fail('checkpoint_mismatch', `line ${lineNo}: a checkpoint before any entry`);
    const at = state.head.seq;
    if (parsed.checkpoint?.seq !== at) {
      return fail(
        'checkpoint_mismatch',
        `line ${lineNo}: a checkpoint for seq ${String(parsed.checkpoint?.seq)} follows entry ${at}`,
        at,
      );
    }
    let difference: string | undefined;
    if (parsed.kind === 'head') difference = checkpointDifference(parsed.checkpoint, checkpointOf(state));
    else if (!state.settlements[parsed.checkpoint.epoch_id]) {
      difference = `the replay has no settlement for epoch ${parsed.checkpoint.epoch_id}`;
    } else
      difference = epochCheckpointDifference(parsed.checkpoint, epochCheckpointOf(state, parsed.checkpoint.epoch_id));
    if (difference) return fail('checkpoint_mismatch', `after entry ${at} (line ${lineNo}): ${difference}`, at);
    checkpoints++;
    if (parsed.kind === 'head') head = parsed.checkpoint;
  }
  const refused = await flush();
  if (refused) return refused;
  if (lineNo === 0) return fail('truncated', 'the export is empty');
  if (!head) {
    return fail(
      'truncated',
      `the export ends without its head line (after entry ${follower.nextSeq - 1})`,
      follower.nextSeq,
    );
  }
  opts.onProgress?.(entries);
  return { ok: true, network_id, entries, checkpoints, head };
}
