/**
 * The protocol log of another thread of this process, over a `MessagePort`. The owning thread
 * serves its log (`serveProtocolLog`); `ThreadProtocolLog` in the other thread proxies append,
 * appendBatch, read and head to it, and the owner pushes every entry appended after the client
 * connected, so the client's followers are woken at once and read new entries from memory.
 * The owner's log stays the single writer's arbiter: linkage and conflicts are decided there.
 */
import type { MessagePort } from 'node:worker_threads';
import type {
  AppendOutcome,
  BatchAppendOutcome,
  FollowOptions,
  LogEntry,
  LogFollower,
  LogHead,
  ProtocolLog,
} from '../ports/protocol-log.ts';
import { checkRead, closedLog, DEFAULT_READ_LIMIT, encodeBatch, encodeEntry, RecentEntries } from './log-entries.ts';
import { FollowerSet, startPollingFollower, wakeSubscriber } from './log-follower.ts';
import { answerCalls, PortCaller } from './port-calls.ts';

/** A served log: `close` stops pushing entries and closes the port (never the log itself). */
export type ServedProtocolLog = { close(): Promise<void> };

/** Options of `serveProtocolLog`. */
export type ServeProtocolLogOptions = {
  /**
   * Awaited before each append of the client's is made (e.g. `AdmissionPriority.giveWay`, so the
   * other thread's appends give way to this thread's admissions); default: none.
   */
  readonly beforeAppend?: () => Promise<void>;
};

/**
 * Serves `log` to one `ThreadProtocolLog` on the other end of `port`. Entries cross as their
 * exact JSON text.
 */
export function serveProtocolLog(
  log: ProtocolLog,
  port: MessagePort,
  opts: ServeProtocolLogOptions = {},
): ServedProtocolLog {
  let follower: LogFollower | undefined;
  let closed = false;
  let pushing: string[] = [];
  let firstSeq = 0;
  const flush = () => {
    if (pushing.length === 0 || closed) return;
    port.postMessage({ event: 'entries', first: firstSeq, texts: pushing });
    pushing = [];
  };
  const stop = async () => {
    if (closed) return;
    closed = true;
    await follower?.stop();
  };
  answerCalls(port, async (op, args) => {
    switch (op) {
      case 'append':
        await opts.beforeAppend?.();
        return log.append(JSON.parse(args as string) as LogEntry);
      case 'appendBatch':
        await opts.beforeAppend?.();
        return log.appendBatch((args as string[]).map((text) => JSON.parse(text) as LogEntry));
      case 'read': {
        const { from, limit } = args as { from: number; limit: number };
        return (await log.read(from, limit)).map((e) => JSON.stringify(e));
      }
      case 'head':
        return log.head();
      case 'watch': {
        if (follower || closed) return null;
        const head = await log.head();
        const from = head === null ? 0 : head.seq + 1;
        follower = log.follow(from, (entry) => {
          if (pushing.length === 0) {
            firstSeq = entry.seq;
            // After this turn's microtasks: the follower delivers a page entry by entry (one
            // microtask each), and the whole page crosses in one message, waking the client once.
            setImmediate(flush);
          }
          pushing.push(JSON.stringify(entry));
        });
        return from;
      }
      default:
        throw new Error(`unknown protocol log call ${op}`);
    }
  });
  port.on('close', () => void stop());
  return {
    async close() {
      await stop();
      port.close();
    },
  };
}

/** Options of `ThreadProtocolLog`. */
export type ThreadProtocolLogOptions = {
  /** Followers' poll interval when no pushed entry wakes them (default 1 s: pushes wake them). */
  readonly pollIntervalMs?: number;
};

/** `ProtocolLog` client of a log served by another thread (`serveProtocolLog`); it owns its port. */
export class ThreadProtocolLog implements ProtocolLog {
  readonly #calls: PortCaller;
  readonly #pollIntervalMs: number;
  /** Entries pushed by the owner or appended here, shared by this thread's readers. */
  readonly #recent = new RecentEntries();
  readonly #wakes = new Set<() => void>();
  readonly #followers = new FollowerSet();
  #closed = false;

  constructor(port: MessagePort, opts: ThreadProtocolLogOptions = {}) {
    this.#pollIntervalMs = opts.pollIntervalMs ?? 1000;
    this.#calls = new PortCaller(port, (message) => {
      if (message.event !== 'entries') return;
      const first = message.first as number;
      for (const [i, text] of (message.texts as string[]).entries()) this.#recent.keepText(text, first + i);
      for (const wake of this.#wakes) wake();
    });
    this.#calls.call('watch').catch(() => {});
  }

  async append(entry: LogEntry): Promise<AppendOutcome> {
    this.#checkOpen();
    const json = encodeEntry(entry);
    const outcome = await this.#calls.call<AppendOutcome>('append', json);
    if (outcome.ok) {
      this.#recent.remember(entry, json);
      for (const wake of this.#wakes) wake();
    }
    return outcome;
  }

  async appendBatch(entries: readonly LogEntry[]): Promise<BatchAppendOutcome> {
    this.#checkOpen();
    const texts = encodeBatch(entries);
    const result = await this.#calls.call<BatchAppendOutcome>('appendBatch', texts);
    for (let i = 0; i < result.appended; i++) this.#recent.remember(entries[i]!, texts[i]!);
    if (result.appended > 0) for (const wake of this.#wakes) wake();
    return result;
  }

  async read(fromSeq: number, limit = DEFAULT_READ_LIMIT): Promise<LogEntry[]> {
    this.#checkOpen();
    checkRead(fromSeq, limit);
    const cached = this.#recent.prefix(fromSeq, limit);
    if (cached.length > 0) return cached;
    const texts = await this.#calls.call<string[]>('read', { from: fromSeq, limit });
    // Kept as pushed entries are, so this thread's other followers read them from memory.
    return texts.map((text, i) => this.#recent.keepText(text, fromSeq + i));
  }

  async head(): Promise<LogHead | null> {
    this.#checkOpen();
    return this.#calls.call<LogHead | null>('head');
  }

  follow(fromSeq: number, onEntry: (entry: LogEntry) => Promise<void> | void, opts?: FollowOptions): LogFollower {
    this.#checkOpen();
    checkRead(fromSeq, 1);
    const follower = startPollingFollower({
      fromSeq,
      onEntry,
      read: (from, limit) => this.read(from, limit),
      subscribeWake: wakeSubscriber(this.#wakes),
      pollIntervalMs: opts?.pollIntervalMs ?? this.#pollIntervalMs,
    });
    return this.#followers.add(follower);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#followers.stopAll();
    this.#calls.close();
  }

  #checkOpen(): void {
    if (this.#closed) throw closedLog();
  }
}
