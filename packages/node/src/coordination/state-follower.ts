/**
 * A master's view of the protocol: it folds the shared log into its own `ProtocolState`, entry by
 * entry, and tells listeners what each entry did. Entries the node appended itself are applied
 * at once; the follow loop skips what is already applied, so both paths give the same state.
 */
import { type ApplyOutcome, apply, type Entry, emptyState, type ProtocolState } from '@symphony/protocol';
import type { LogEntry, LogFollower, ProtocolLog } from '../ports/protocol-log.ts';

export type AppliedListener = (entry: Entry, outcome: ApplyOutcome) => void;

/** One log entry that concerns a task, for its event history. */
export type TaskEntry = {
  seq: number;
  time_ms: number;
  epoch_id: number;
  type: string;
  outcome: 'applied' | 'ignored';
};

/** The task an event concerns, if any. */
export function taskIdOf(event: Entry['event']): string | undefined {
  switch (event.type) {
    case 'task_admitted':
      return event.envelope.task_id;
    case 'execution_receipt_recorded':
      return event.receipt.task_id;
    case 'verification_decided':
      return event.decision.task_id;
    case 'challenge_opened':
      return event.challenge.target.kind === 'task' ? event.challenge.target.task_id : undefined;
    default:
      return 'task_id' in event ? (event.task_id as string) : undefined;
  }
}

export class StateFollower {
  readonly state: ProtocolState = emptyState();
  /** Log entries per task, in order (derived from the log, rebuilt on start). */
  readonly taskEntries = new Map<string, TaskEntry[]>();
  readonly #log: ProtocolLog;
  readonly #listeners = new Set<AppliedListener>();
  readonly #waiters = new Map<number, (() => void)[]>();
  #follower: LogFollower | undefined;
  #failure: Error | undefined;

  constructor(log: ProtocolLog) {
    this.#log = log;
  }

  /** Folds everything in the log, then keeps following it. */
  async start(pollIntervalMs?: number): Promise<void> {
    await this.catchUp();
    this.#follower = this.#log.follow(
      this.nextSeq,
      (e) => {
        this.apply(e as unknown as Entry);
      },
      pollIntervalMs ? { pollIntervalMs } : {},
    );
    this.#follower.done.catch((error: Error) => {
      this.#failure = error;
    });
  }

  get nextSeq(): number {
    return this.state.head ? this.state.head.seq + 1 : 0;
  }

  /** Reads and folds every entry past the head. */
  async catchUp(): Promise<void> {
    for (;;) {
      const batch = await this.#log.read(this.nextSeq, 1000);
      for (const e of batch) this.apply(e as unknown as Entry);
      if (batch.length < 1000) return;
    }
  }

  /** Folds one entry unless it is already folded. A corrupt entry stops the node: it must never guess. */
  apply(entry: Entry): ApplyOutcome | undefined {
    if (this.#failure) throw this.#failure;
    if (entry.seq < this.nextSeq) return undefined;
    const outcome = apply(this.state, entry);
    if (outcome.kind === 'fatal') {
      this.#failure = new Error(`protocol log is corrupt at seq ${outcome.seq}: ${outcome.refusal.code}`);
      throw this.#failure;
    }
    const task_id = taskIdOf(entry.event);
    if (task_id) {
      const list = this.taskEntries.get(task_id) ?? [];
      list.push({
        seq: entry.seq,
        time_ms: entry.time_ms,
        epoch_id: entry.epoch_id,
        type: entry.event.type,
        outcome: outcome.kind,
      });
      this.taskEntries.set(task_id, list);
    }
    for (const listener of this.#listeners) listener(entry, outcome);
    for (const [seq, resolvers] of this.#waiters) {
      if (seq <= entry.seq) {
        this.#waiters.delete(seq);
        for (const r of resolvers) r();
      }
    }
    return outcome;
  }

  /** Calls `listener` after every folded entry; returns the function that removes it. */
  onApplied(listener: AppliedListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves once the entry at `seq` is folded. */
  waitFor(seq: number): Promise<void> {
    if (seq < this.nextSeq) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.#waiters.get(seq) ?? [];
      list.push(resolve);
      this.#waiters.set(seq, list);
    });
  }

  /** The stored entry at `seq` (for the full receipt or envelope an index points to). */
  async entryAt(seq: number): Promise<Entry | undefined> {
    const [e] = await this.#log.read(seq, 1);
    return e?.seq === seq ? (e as unknown as Entry) : undefined;
  }

  get failure(): Error | undefined {
    return this.#failure;
  }

  async stop(): Promise<void> {
    await this.#follower?.stop();
  }
}

export type { LogEntry };
