/** The shape of one reducer step: a pure check, then a mutation that cannot fail. */

import type { EventOf, ProtocolEvent, ProtocolEventType } from '../events/protocol-event.ts';
import type { LogEntry } from '../log/hash-chain.ts';
import type { Refusal } from './refusal.ts';
import type { ProtocolState } from './state.ts';

export type LogPosition = { seq: number; time_ms: number; epoch_id: number };

export type Step<T extends ProtocolEventType> = {
  /** Returns a refusal when the event does not apply to this state; reads only. */
  check(state: ProtocolState, event: EventOf<T>, at: LogPosition): Refusal | undefined;
  /** Applies the event; called only after `check` passed. */
  run(state: ProtocolState, event: EventOf<T>, at: LogPosition): void;
};

export type Entry = LogEntry<ProtocolEvent>;
