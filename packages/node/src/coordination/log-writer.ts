/**
 * Appends events to the shared protocol log for one master: checks the event against the folded
 * state first (a refused event is never appended), seals it after the head with the log time
 * (never earlier than the previous entry), and retries when another master appended first.
 *
 * Group commit: the events queued during one turn of the event loop (and while an append is in
 * flight) go out together as one chain in one `appendBatch` (one statement on SQL logs), so
 * concurrent admissions and lifecycle steps share a commit instead of paying for one each. A caller's promise resolves only once its entry is in
 * the log (durable) and folded. A batch holds only events about distinct tasks (a task event's
 * check reads only its own task and the network's registrations and parameters, which task events
 * never change), so checking each against the state before the batch is the same as checking it
 * after the earlier ones; any other event (epoch close, settlement, registrations) commits alone.
 */
import { checkEvent, deepFreeze, type Entry, type ProtocolEvent, type Refusal, sealEntry } from '@symphony/protocol';
import type { Clock } from '../ports/clock.ts';
import type { LogEntry, ProtocolLog } from '../ports/protocol-log.ts';
import { type StateFollower, taskIdOf } from './state-follower.ts';

export type AppendResult = { kind: 'applied'; seq: number } | { kind: 'refused'; refusal: Refusal };

const MAX_CONFLICTS = 50;
/** The most entries one group commit carries. */
const MAX_BATCH = 64;

type Pending = {
  readonly event: ProtocolEvent;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
};

export class LogWriter {
  readonly #log: ProtocolLog;
  readonly #follower: StateFollower;
  readonly #clock: Clock;
  readonly #origin: string;
  readonly #pending: Pending[] = [];
  #draining = false;
  appended = 0;
  conflicts = 0;
  /** Group commits made (one per `append`/`appendBatch` that landed), for metrics. */
  commits = 0;

  constructor(log: ProtocolLog, follower: StateFollower, clock: Clock, origin: string) {
    this.#log = log;
    this.#follower = follower;
    this.#clock = clock;
    this.#origin = origin;
  }

  /**
   * Appends `event` (after the appends this master already queued) and resolves once it is durable
   * and folded. The event is deep-frozen: it becomes part of a log entry shared, in this process,
   * by every master's fold, which encodes and hashes it once instead of once per use.
   */
  append(event: ProtocolEvent): Promise<AppendResult> {
    deepFreeze(event);
    return new Promise<AppendResult>((resolve, reject) => {
      this.#pending.push({ event, resolve, reject });
      if (!this.#draining) {
        this.#draining = true;
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const batch = this.#takeBatch();
        try {
          await this.#commit(batch);
        } catch (error) {
          for (const p of batch) p.reject(error);
        }
        // Let this turn's other work (requests, replies, folds) queue its events for the next commit.
        if (this.#pending.length > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.#draining = false;
    }
  }

  /** The longest queue prefix of events about distinct tasks (or the first event alone). */
  #takeBatch(): Pending[] {
    const first = this.#pending.shift()!;
    const batch = [first];
    const firstTask = taskIdOf(first.event);
    if (firstTask === undefined) return batch;
    const tasks = new Set([firstTask]);
    while (batch.length < MAX_BATCH && this.#pending.length > 0) {
      const task = taskIdOf(this.#pending[0]!.event);
      if (task === undefined || tasks.has(task)) break;
      tasks.add(task);
      batch.push(this.#pending.shift()!);
    }
    return batch;
  }

  /** Checks, seals and appends `batch`; settles every member's promise (unless it throws). */
  async #commit(batch: Pending[]): Promise<void> {
    let members = batch;
    for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
      const state = this.#follower.state;
      const time_ms = Math.max(this.#clock.now(), state.last_time_ms);
      let anchor = state.head ? { ...state.head, time_ms: state.last_time_ms } : undefined;
      const entries: Entry[] = [];
      const sealed: Pending[] = [];
      for (const p of members) {
        const at = {
          seq: this.#follower.nextSeq + entries.length,
          time_ms,
          epoch_id: p.event.type === 'genesis' ? 1 : state.current_epoch,
        };
        const refusal = checkEvent(state, p.event, at);
        if (refusal) {
          p.resolve({ kind: 'refused', refusal });
          continue;
        }
        const entry = deepFreeze(
          sealEntry(anchor, { time_ms, epoch_id: at.epoch_id, origin: this.#origin, event: p.event }),
        );
        anchor = { seq: entry.seq, hash: entry.hash, time_ms };
        entries.push(entry as Entry);
        sealed.push(p);
      }
      if (entries.length === 0) return;
      const logEntries = entries as unknown as LogEntry[];
      const { appended, outcome } =
        logEntries.length === 1
          ? await this.#log.append(logEntries[0]!).then((o) => ({ appended: o.ok ? 1 : 0, outcome: o }))
          : await this.#log.appendBatch(logEntries);
      if (appended > 0) this.commits++;
      for (let i = 0; i < appended; i++) {
        const entry = entries[i]!;
        this.appended++;
        const applied = this.#follower.apply(entry);
        // Folded already (the follow loop got there first) or just now: was it applied or ignored?
        const ignored =
          applied?.kind === 'ignored'
            ? applied.refusal
            : applied === undefined && this.#follower.state.ignored.last?.seq === entry.seq
              ? { code: this.#follower.state.ignored.last.code, message: 'the entry did not apply' }
              : undefined;
        sealed[i]!.resolve(ignored ? { kind: 'refused', refusal: ignored } : { kind: 'applied', seq: entry.seq });
      }
      if (outcome.ok) return;
      members = sealed.slice(appended);
      this.conflicts++;
      await this.#follower.catchUp();
    }
    throw new Error(`could not append ${members[0]?.event.type} after ${MAX_CONFLICTS} conflicting writers`);
  }
}
