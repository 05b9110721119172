/**
 * Calls and answers over a `MessagePort` (between threads of one process), shared by the adapters
 * that reach a port owned by another thread. A call is `{ call: id, op, args }`, its answer
 * `{ answer: id, value }` or `{ answer: id, error }`; anything else is an event for the receiver.
 * Errors cross as their `code` and `message` only (a `PortError` again on the caller's side).
 */
import type { MessagePort } from 'node:worker_threads';
import { hasErrorCode, PortError } from '../ports/errors.ts';

/** An error on the wire: its stable code when it had one, and its message. */
export type WireError = { readonly code?: string; readonly message: string };

type Answer = { readonly answer: number; readonly value?: unknown; readonly error?: WireError };
type Call = { readonly call: number; readonly op: string; readonly args: unknown };

/** An error as it crosses the port. */
export function toWire(error: unknown): WireError {
  const message = error instanceof Error ? error.message : String(error);
  return hasErrorCode(error) ? { code: error.code, message } : { message };
}

/** The error a wire error stands for: a `PortError` with its code, or a plain `Error`. */
export function fromWire(error: WireError): Error {
  return error.code !== undefined ? new PortError(error.code, error.message) : new Error(error.message);
}

/** The calling side of a port: `call` resolves with the answer; other messages go to `onEvent`. */
export class PortCaller {
  readonly #port: MessagePort;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #next = 0;
  #gone: Error | undefined;

  constructor(port: MessagePort, onEvent: (message: Record<string, unknown>) => void) {
    this.#port = port;
    port.on('message', (message: Answer | Record<string, unknown>) => {
      if (typeof (message as Answer).answer !== 'number') {
        onEvent(message as Record<string, unknown>);
        return;
      }
      const { answer, value, error } = message as Answer;
      const pending = this.#pending.get(answer);
      if (!pending) return;
      this.#pending.delete(answer);
      if (error) pending.reject(fromWire(error));
      else pending.resolve(value);
    });
    port.on('close', () => this.fail(new PortError('closed', 'the other thread closed its port')));
  }

  /** Sends a call; rejects with the answer's error, or `closed` once the port is gone. */
  call<T>(op: string, args?: unknown): Promise<T> {
    if (this.#gone) return Promise.reject(this.#gone);
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#port.postMessage({ call: id, op, args } satisfies Call);
    });
  }

  /** Sends a one-way message (an event for the other side). */
  send(message: Record<string, unknown>): void {
    if (!this.#gone) this.#port.postMessage(message);
  }

  /** Rejects every pending call and every later one with `error`. */
  fail(error: Error): void {
    this.#gone ??= error;
    for (const p of this.#pending.values()) p.reject(this.#gone);
    this.#pending.clear();
  }

  /** Fails what is pending with `closed` and closes the port. */
  close(): void {
    this.fail(new PortError('closed', 'port closed'));
    this.#port.close();
  }
}

/**
 * Answers the calls arriving on `port` with `handle(op, args)` (calls run concurrently; each
 * answer goes back when its promise settles). Other messages go to `onEvent`, if given.
 */
export function answerCalls(
  port: MessagePort,
  handle: (op: string, args: unknown) => Promise<unknown> | unknown,
  onEvent?: (message: Record<string, unknown>) => void,
): void {
  port.on('message', (message: Call | Record<string, unknown>) => {
    if (typeof (message as Call).call !== 'number') {
      onEvent?.(message as Record<string, unknown>);
      return;
    }
    const { call, op, args } = message as Call;
    void (async () => {
      try {
        const value = await handle(op, args);
        port.postMessage({ answer: call, value } satisfies Answer);
      } catch (error) {
        port.postMessage({ answer: call, error: toWire(error) } satisfies Answer);
      }
    })();
  });
}
