/** The protocol log in process memory: for unit tests and throwaway embedded runs. */
import type {
  AppendOutcome,
  BatchAppendOutcome,
  FollowOptions,
  LogEntry,
  LogFollower,
  LogHead,
  ProtocolLog,
} from '../ports/protocol-log.ts';
import {
  batchRefusal,
  checkRead,
  closedLog,
  DEFAULT_READ_LIMIT,
  decodeEntry,
  encodeBatch,
  encodeEntry,
  expectedPrevHash,
  nextSeq,
  refusal,
} from './log-entries.ts';
import { FollowerSet, startPollingFollower, wakeSubscriber } from './log-follower.ts';

type Stored = { readonly seq: number; readonly hash: string; readonly json: string };

/** `ProtocolLog` over an array. Entries are kept as JSON text, so readers get fresh copies. */
export class MemoryProtocolLog implements ProtocolLog {
  readonly #entries: Stored[] = [];
  readonly #hashes = new Set<string>();
  readonly #wakers = new Set<() => void>();
  readonly #followers = new FollowerSet();
  #closed = false;

  async append(entry: LogEntry): Promise<AppendOutcome> {
    this.#checkOpen();
    const json = encodeEntry(entry);
    const head = this.#head();
    if (nextSeq(head) !== entry.seq || expectedPrevHash(head) !== entry.prev_hash || this.#hashes.has(entry.hash)) {
      return refusal(entry, head, this.#entries[entry.seq]?.hash);
    }
    this.#entries.push({ seq: entry.seq, hash: entry.hash, json });
    this.#hashes.add(entry.hash);
    for (const wake of this.#wakers) wake();
    return { ok: true, seq: entry.seq };
  }

  /** All or none: the batch lands only when its first entry follows the head and no hash is reused. */
  async appendBatch(entries: readonly LogEntry[]): Promise<BatchAppendOutcome> {
    this.#checkOpen();
    const texts = encodeBatch(entries);
    const head = this.#head();
    const first = entries[0]!;
    if (
      nextSeq(head) !== first.seq ||
      expectedPrevHash(head) !== first.prev_hash ||
      entries.some((e) => this.#hashes.has(e.hash))
    ) {
      const result = batchRefusal(entries, head, (seq) => this.#entries[seq]?.hash);
      // A retry whose first entries are already stored: append the rest.
      if (!result.outcome.ok && result.appended > 0 && head?.seq === entries[result.appended - 1]!.seq) {
        const rest = await this.appendBatch(entries.slice(result.appended));
        return { appended: result.appended + rest.appended, outcome: rest.outcome };
      }
      return result;
    }
    for (const [i, e] of entries.entries()) {
      this.#entries.push({ seq: e.seq, hash: e.hash, json: texts[i]! });
      this.#hashes.add(e.hash);
    }
    for (const wake of this.#wakers) wake();
    return { appended: entries.length, outcome: { ok: true, seq: entries[entries.length - 1]!.seq } };
  }

  async read(fromSeq: number, limit = DEFAULT_READ_LIMIT): Promise<LogEntry[]> {
    this.#checkOpen();
    checkRead(fromSeq, limit);
    return this.#entries.slice(fromSeq, fromSeq + limit).map((s) => decodeEntry(s.json, s.seq));
  }

  async head(): Promise<LogHead | null> {
    this.#checkOpen();
    return this.#head();
  }

  follow(fromSeq: number, onEntry: (entry: LogEntry) => Promise<void> | void, opts?: FollowOptions): LogFollower {
    this.#checkOpen();
    checkRead(fromSeq, 1);
    const follower = startPollingFollower({
      fromSeq,
      onEntry,
      read: (from, limit) => this.read(from, limit),
      subscribeWake: wakeSubscriber(this.#wakers),
      pollIntervalMs: opts?.pollIntervalMs ?? 1000,
    });
    return this.#followers.add(follower);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#followers.stopAll();
  }

  #head(): LogHead | null {
    const last = this.#entries.at(-1);
    return last ? { seq: last.seq, hash: last.hash } : null;
  }

  #checkOpen(): void {
    if (this.#closed) throw closedLog();
  }
}
