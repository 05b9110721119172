/**
 * Appends events to the shared protocol log for one master: checks the event against the folded
 * state first (a refused event is never appended), seals it after the head with the log time
 * (never earlier than the previous entry), and retries when another master appended first.
 * Appends of one master run one at a time.
 */
import { checkEvent, type ProtocolEvent, type Refusal, sealEntry } from '@symphony/protocol';
import type { Clock } from '../ports/clock.ts';
import type { LogEntry, ProtocolLog } from '../ports/protocol-log.ts';
import type { StateFollower } from './state-follower.ts';

export type AppendResult = { kind: 'applied'; seq: number } | { kind: 'refused'; refusal: Refusal };

const MAX_CONFLICTS = 50;

export class LogWriter {
  readonly #log: ProtocolLog;
  readonly #follower: StateFollower;
  readonly #clock: Clock;
  readonly #origin: string;
  #queue: Promise<unknown> = Promise.resolve();
  appended = 0;
  conflicts = 0;

  constructor(log: ProtocolLog, follower: StateFollower, clock: Clock, origin: string) {
    this.#log = log;
    this.#follower = follower;
    this.#clock = clock;
    this.#origin = origin;
  }

  /** Appends `event` (after the appends this master already queued) and resolves once it is folded. */
  append(event: ProtocolEvent): Promise<AppendResult> {
    const next = this.#queue.then(() => this.#appendNow(event));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #appendNow(event: ProtocolEvent): Promise<AppendResult> {
    for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
      const state = this.#follower.state;
      const at = {
        seq: this.#follower.nextSeq,
        time_ms: Math.max(this.#clock.now(), state.last_time_ms),
        epoch_id: event.type === 'genesis' ? 1 : state.current_epoch,
      };
      const refusal = checkEvent(state, event, at);
      if (refusal) return { kind: 'refused', refusal };
      const anchor = state.head ? { ...state.head, time_ms: state.last_time_ms } : undefined;
      const entry = sealEntry(anchor, { time_ms: at.time_ms, epoch_id: at.epoch_id, origin: this.#origin, event });
      const outcome = await this.#log.append(entry as unknown as LogEntry);
      if (outcome.ok) {
        this.appended++;
        this.#follower.apply(entry as never);
        return { kind: 'applied', seq: entry.seq };
      }
      this.conflicts++;
      await this.#follower.catchUp();
    }
    throw new Error(`could not append ${event.type} after ${MAX_CONFLICTS} conflicting writers`);
  }
}
