/**
 * The in-memory bus of another thread of this process, over a `MessagePort`. The thread that owns
 * the `MemoryBroker` serves it (`serveBus`); a `ThreadBus` in the other thread is a client of that
 * broker like any `MemoryBus`: its subscriptions are routes of the broker (wildcards, queue groups
 * and no-responders decided there, by the same rules), messages cross as their JSON text, and
 * handlers run on the client's thread, one at a time per subscription, never in the publisher's
 * call stack.
 */
import type { MessagePort } from 'node:worker_threads';
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
  encodePayload,
  encodeReply,
  pendingRequest,
  settle,
} from './bus-codec.ts';
import type { MemoryBroker, Reply, Route } from './memory-bus.ts';
import { answerCalls, PortCaller } from './port-calls.ts';

type SubscribeCall = { sid: number; subject: string; queue: string | undefined; serve: boolean };

/** A served broker: `close` removes the client's routes and closes the port. */
export type ServedBus = { close(): Promise<void> };

/** Serves `broker` to one `ThreadBus` on the other end of `port`. */
export function serveBus(broker: MemoryBroker, port: MessagePort): ServedBus {
  const routes = new Map<number, Route>();
  const replies = new Map<number, Reply>();
  let nextReply = 0;
  let closed = false;
  const post = (message: Record<string, unknown>) => {
    if (!closed) port.postMessage(message);
  };
  const drop = () => {
    if (closed) return;
    closed = true;
    for (const route of routes.values()) broker.remove(route);
    routes.clear();
    replies.clear();
  };
  answerCalls(
    port,
    (op, args) => {
      if (closed) throw closedBus();
      switch (op) {
        case 'sub': {
          const { sid, subject, queue, serve } = args as SubscribeCall;
          const route: Route = {
            tokens: checkSubject(subject, true),
            queue,
            deliver: serve
              ? (msgSubject, data, reply) => {
                  if (!reply) return;
                  const rid = nextReply++;
                  replies.set(rid, reply);
                  post({ event: 'request', sid, rid, subject: msgSubject, data });
                }
              : (msgSubject, data) => post({ event: 'message', sid, subject: msgSubject, data }),
          };
          routes.set(sid, route);
          broker.add(route);
          return null;
        }
        case 'unsub': {
          const route = routes.get(args as number);
          routes.delete(args as number);
          if (route) broker.remove(route);
          return null;
        }
        case 'req': {
          const { subject, data, timeoutMs } = args as { subject: string; data: string; timeoutMs: number };
          return new Promise((resolve) => {
            // Answered by then either way, so neither thread keeps the call once the client gave up.
            const timer = setTimeout(() => resolve({ expired: true }), timeoutMs);
            const reached = broker.route(subject, data, (text) => {
              clearTimeout(timer);
              resolve({ text });
            });
            if (reached === 0) {
              clearTimeout(timer);
              resolve({ none: true });
            }
          });
        }
        default:
          throw new Error(`unknown bus call ${op}`);
      }
    },
    (message) => {
      if (closed) return;
      if (message.event === 'publish') {
        broker.route(message.subject as string, message.data as string, undefined);
        return;
      }
      if (message.event !== 'reply') return;
      const rid = message.rid as number;
      const reply = replies.get(rid);
      replies.delete(rid);
      reply?.(message.text as string);
    },
  );
  port.on('close', drop);
  return {
    async close() {
      drop();
      port.close();
    },
  };
}

type Delivery = { subject: string; data: string; rid?: number };
type Live = { stop(): Promise<void> };

/** Options of `ThreadBus`. */
export type ThreadBusOptions = {
  /** Told about subscription handlers that threw (the message is dropped); default: ignored. */
  readonly onHandlerError?: (error: unknown, subject: string) => void;
};

/** `Bus` client of a broker served by another thread (`serveBus`); it owns its port. */
export class ThreadBus implements Bus {
  readonly #calls: PortCaller;
  readonly #onHandlerError: ((error: unknown, subject: string) => void) | undefined;
  readonly #deliveries = new Map<number, (d: Delivery) => void>();
  readonly #live = new Set<Live>();
  readonly #pending = new Set<() => void>();
  #nextSid = 0;
  #closed = false;

  constructor(port: MessagePort, opts: ThreadBusOptions = {}) {
    this.#onHandlerError = opts.onHandlerError;
    this.#calls = new PortCaller(port, (message) => {
      const deliver = this.#deliveries.get(message.sid as number);
      if (!deliver) return;
      deliver({
        subject: message.subject as string,
        data: message.data as string,
        ...(message.event === 'request' ? { rid: message.rid as number } : {}),
      });
    });
  }

  async publish(subject: string, payload: unknown): Promise<void> {
    this.#checkOpen();
    checkSubject(subject, false);
    // One-way, as a NATS publish: the broker routes it in order with this client's other calls.
    this.#calls.send({ event: 'publish', subject, data: encodePayload(payload) });
  }

  async subscribe(subject: string, handler: BusHandler, opts?: SubscribeOptions): Promise<Subscription> {
    this.#checkOpen();
    checkSubject(subject, true);
    checkQueue(opts?.queue);
    const queue: Delivery[] = [];
    let draining: Promise<void> | undefined;
    let stopped = false;
    const drain = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      for (let msg = queue.shift(); msg && !stopped; msg = queue.shift()) {
        try {
          await handler({ subject: msg.subject, payload: decodePayload(msg.data) });
        } catch (error) {
          this.#onHandlerError?.(error, msg.subject);
        }
      }
      draining = undefined;
    };
    return this.#register(
      subject,
      opts?.queue,
      false,
      (d) => {
        if (stopped) return;
        queue.push(d);
        draining ??= drain();
      },
      async () => {
        stopped = true;
        queue.length = 0;
        await draining;
      },
    );
  }

  async serve(subject: string, responder: BusResponder, opts?: SubscribeOptions): Promise<Subscription> {
    this.#checkOpen();
    checkSubject(subject, true);
    checkQueue(opts?.queue);
    const inFlight = new Set<Promise<void>>();
    let stopped = false;
    return this.#register(
      subject,
      opts?.queue,
      true,
      (d) => {
        if (stopped || d.rid === undefined) return;
        const task = (async () => {
          await new Promise((resolve) => setImmediate(resolve));
          const outcome = await settle(() => responder(decodePayload(d.data), { subject: d.subject }));
          this.#calls.send({ event: 'reply', rid: d.rid, text: encodeReply(outcome) });
        })();
        inFlight.add(task);
        void task.finally(() => inFlight.delete(task));
      },
      async () => {
        stopped = true;
        await Promise.all(inFlight);
      },
    );
  }

  request(subject: string, payload: unknown, opts: RequestOptions): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#checkOpen();
      checkSubject(subject, false);
      if (!(opts.timeoutMs > 0)) throw new RangeError('timeoutMs must be positive');
      const data = encodePayload(payload);
      const request = pendingRequest(subject, opts.timeoutMs, this.#pending, resolve, reject);
      this.#calls
        .call<{ text?: string; none?: true; expired?: true }>('req', { subject, data, timeoutMs: opts.timeoutMs })
        .then((answer) => {
          if (answer.none) request.fail(new PortError<BusErrorCode>('no_responders', `no responders on ${subject}`));
          else if (answer.expired) request.expire();
          else request.reply(answer.text!);
        }, request.fail);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const cancel of [...this.#pending]) cancel();
    await Promise.all([...this.#live].map((live) => live.stop()));
    this.#calls.close();
  }

  async #register(
    subject: string,
    queue: string | undefined,
    serve: boolean,
    deliver: (d: Delivery) => void,
    stop: () => Promise<void>,
  ): Promise<Subscription> {
    const sid = this.#nextSid++;
    this.#deliveries.set(sid, deliver);
    const live: Live = {
      stop: async () => {
        if (!this.#live.delete(live)) return;
        this.#deliveries.delete(sid);
        await Promise.all([this.#calls.call('unsub', sid).catch(() => {}), stop()]);
      },
    };
    this.#live.add(live);
    try {
      await this.#calls.call('sub', { sid, subject, queue, serve } satisfies SubscribeCall);
    } catch (error) {
      await live.stop();
      throw error;
    }
    return { unsubscribe: () => live.stop() };
  }

  #checkOpen(): void {
    if (this.#closed) throw closedBus();
  }
}
