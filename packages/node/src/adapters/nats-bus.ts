/**
 * The bus over core NATS (`@nats-io/transport-node`): subjects, queue groups and request/reply
 * are the server's own. Payloads and replies are JSON text; a reply is an envelope carrying either
 * the value or the responder's typed error (code and message).
 */
import {
  errors,
  type Msg,
  type NatsConnection,
  type Subscription as NatsSubscription,
  RequestError,
} from '@nats-io/transport-node';
import type {
  Bus,
  BusErrorCode,
  BusHandler,
  BusResponder,
  RequestOptions,
  SubscribeOptions,
  Subscription,
} from '../ports/bus.ts';
import { PortError } from '../ports/errors.ts';
import {
  checkQueue,
  checkSubject,
  closedBus,
  decodePayload,
  decodeReply,
  encodePayload,
  encodeReply,
  settle,
} from './bus-codec.ts';

/** Options of `NatsBus`. */
export type NatsBusOptions = {
  /** The connection; the bus never closes it. */
  readonly connection: NatsConnection;
  /** Told about subscription handlers that threw (the message is dropped); default: ignored. */
  readonly onHandlerError?: (error: unknown, subject: string) => void;
};

/** `Bus` over a NATS connection. */
export class NatsBus implements Bus {
  readonly #nc: NatsConnection;
  readonly #onHandlerError: ((error: unknown, subject: string) => void) | undefined;
  readonly #live = new Set<() => Promise<void>>();
  readonly #pending = new Set<() => void>();
  #closed = false;

  constructor(opts: NatsBusOptions) {
    this.#nc = opts.connection;
    this.#onHandlerError = opts.onHandlerError;
  }

  async publish(subject: string, payload: unknown): Promise<void> {
    this.#checkOpen();
    checkSubject(subject, false);
    this.#nc.publish(subject, encodePayload(payload));
  }

  async subscribe(subject: string, handler: BusHandler, opts?: SubscribeOptions): Promise<Subscription> {
    const sub = this.#subscribe(subject, opts);
    const loop = (async () => {
      for await (const msg of sub) {
        try {
          await handler({ subject: msg.subject, payload: decodePayload(msg.string()) });
        } catch (error) {
          this.#onHandlerError?.(error, msg.subject);
        }
      }
    })().catch((error: unknown) => this.#onHandlerError?.(error, subject));
    return this.#register(sub, () => loop);
  }

  async serve(subject: string, responder: BusResponder, opts?: SubscribeOptions): Promise<Subscription> {
    const sub = this.#subscribe(subject, opts);
    const inFlight = new Set<Promise<void>>();
    const answer = async (msg: Msg) => {
      const outcome = await settle(() => responder(decodePayload(msg.string()), { subject: msg.subject }));
      if (!this.#nc.isClosed()) msg.respond(encodeReply(outcome));
    };
    const loop = (async () => {
      for await (const msg of sub) {
        if (!msg.reply) continue;
        const task = answer(msg);
        inFlight.add(task);
        void task.finally(() => inFlight.delete(task));
      }
    })().catch((error: unknown) => this.#onHandlerError?.(error, subject));
    return this.#register(sub, async () => {
      await loop;
      await Promise.all(inFlight);
    });
  }

  request(subject: string, payload: unknown, opts: RequestOptions): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#checkOpen();
      checkSubject(subject, false);
      if (!(opts.timeoutMs > 0)) throw new RangeError('timeoutMs must be positive');
      let settled = false;
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        this.#pending.delete(cancel);
        outcome();
      };
      const cancel = () => finish(() => reject(closedBus()));
      this.#pending.add(cancel);
      this.#nc.request(subject, encodePayload(payload), { timeout: opts.timeoutMs }).then(
        (msg) =>
          finish(() => {
            try {
              resolve(decodeReply(msg.string()));
            } catch (error) {
              reject(error);
            }
          }),
        (error: unknown) => finish(() => reject(mapRequestError(error, subject, opts.timeoutMs))),
      );
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const cancel of [...this.#pending]) cancel();
    await Promise.all([...this.#live].map((stop) => stop()));
  }

  #subscribe(subject: string, opts: SubscribeOptions | undefined): NatsSubscription {
    this.#checkOpen();
    checkSubject(subject, true);
    checkQueue(opts?.queue);
    return this.#nc.subscribe(subject, opts?.queue !== undefined ? { queue: opts.queue } : {});
  }

  /** Waits until the server has the subscription, then hands out its handle. */
  async #register(sub: NatsSubscription, finished: () => Promise<void>): Promise<Subscription> {
    const stop = async () => {
      this.#live.delete(stop);
      if (!sub.isClosed()) sub.unsubscribe();
      // Once resolved, the server has dropped the interest (a request now gets no_responders).
      if (!this.#nc.isClosed()) await this.#nc.flush().catch(() => {});
      await finished();
    };
    this.#live.add(stop);
    await this.#nc.flush();
    return { unsubscribe: stop };
  }

  #checkOpen(): void {
    if (this.#closed) throw closedBus();
  }
}

function mapRequestError(error: unknown, subject: string, timeoutMs: number): unknown {
  if (error instanceof errors.TimeoutError) {
    return new PortError<BusErrorCode>('timeout', `no reply on ${subject} within ${timeoutMs} ms`, { cause: error });
  }
  if (error instanceof errors.NoRespondersError || (error instanceof RequestError && error.isNoResponders())) {
    return new PortError<BusErrorCode>('no_responders', `no responders on ${subject}`, { cause: error });
  }
  if (error instanceof errors.ClosedConnectionError || error instanceof errors.DrainingConnectionError) {
    return new PortError<BusErrorCode>('closed', 'NATS connection is closed', { cause: error });
  }
  return error;
}
