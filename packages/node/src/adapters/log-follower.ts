/**
 * The follow loop shared by the polling protocol-log adapters: read a page from the next seq,
 * deliver it entry by entry, then sleep until woken (an append) or the poll interval passes.
 * One loop per follower, so delivery is in order and exactly once.
 */
import { hasErrorCode } from '../ports/errors.ts';
import type { LogEntry, LogFollower } from '../ports/protocol-log.ts';

/** What a polling follower needs from its log. */
export type PollingFollowerOptions = {
  readonly fromSeq: number;
  readonly onEntry: (entry: LogEntry) => Promise<void> | void;
  /** Reads up to `limit` entries from `fromSeq`. */
  readonly read: (fromSeq: number, limit: number) => Promise<LogEntry[]>;
  /** Registers a wake-up call made after appends; returns its unregistration. Optional. */
  readonly subscribeWake?: (wake: () => void) => Promise<() => Promise<void> | void>;
  readonly pollIntervalMs: number;
  readonly batchSize?: number;
};

const MAX_ERROR_BACKOFF_MS = 5000;

/**
 * Starts a follower; see `ProtocolLog.follow`. Read errors are retried with backoff; an `onEntry`
 * error or a `corrupt_log` read ends it (its `done` rejects).
 */
export function startPollingFollower(opts: PollingFollowerOptions): LogFollower {
  const batchSize = opts.batchSize ?? 256;
  let stopped = false;
  let woken = false;
  let wakeUp: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;

  const wake = () => {
    woken = true;
    wakeUp?.();
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken || stopped) return resolve();
      wakeUp = resolve;
      timer = setTimeout(resolve, ms);
    }).finally(() => {
      wakeUp = undefined;
      clearTimeout(timer);
    });

  const run = async () => {
    let next = opts.fromSeq;
    let failures = 0;
    const unsubscribe = opts.subscribeWake ? await opts.subscribeWake(wake).catch(() => undefined) : undefined;
    try {
      while (!stopped) {
        woken = false;
        let entries: LogEntry[];
        try {
          entries = await opts.read(next, batchSize);
          failures = 0;
        } catch (error) {
          if (stopped || (hasErrorCode(error) && error.code === 'closed')) break;
          if (hasErrorCode(error) && error.code === 'corrupt_log') throw error;
          failures += 1;
          await sleep(Math.min(opts.pollIntervalMs * 2 ** failures, MAX_ERROR_BACKOFF_MS));
          continue;
        }
        let delivered = 0;
        for (const entry of entries) {
          if (stopped || entry.seq !== next) break;
          await opts.onEntry(entry);
          next += 1;
          delivered += 1;
        }
        if (delivered < batchSize) await sleep(opts.pollIntervalMs);
      }
    } finally {
      stopped = true;
      await unsubscribe?.();
    }
  };

  const done = run();
  done.catch(() => {});
  return {
    done,
    async stop() {
      stopped = true;
      wake();
      await done.catch(() => {});
    },
  };
}

/** The followers a log has started, so that closing the log stops them; each leaves when it ends. */
export class FollowerSet {
  readonly #followers = new Set<LogFollower>();

  /** Tracks `follower` until its `done` settles, and returns it. */
  add(follower: LogFollower): LogFollower {
    this.#followers.add(follower);
    void follower.done.finally(() => this.#followers.delete(follower)).catch(() => {});
    return follower;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#followers].map((f) => f.stop()));
  }
}

/** A `subscribeWake` over a set of wake-up calls that the log's own appends call. */
export function wakeSubscriber(wakes: Set<() => void>): NonNullable<PollingFollowerOptions['subscribeWake']> {
  return async (wake) => {
    wakes.add(wake);
    return () => {
      wakes.delete(wake);
    };
  };
}
