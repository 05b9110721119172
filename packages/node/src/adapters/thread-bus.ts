/**
 * The in-memory bus of another thread of this process, over a `MessagePort`. The thread that owns
 * the `MemoryBroker` serves it (`serveBus`); a `ThreadBus` in the other thread is a client of that
 * broker like any `MemoryBus`: its subscriptions are routes of the broker (wildcards, queue groups
 * and no-responders decided there, by the same rules), messages cross as their JSON text, and
 * handlers run on the client's thread, one at a time per subscription, never in the publisher's
 * call stack.
 *
 * Local routes (`LocalRoutes`, shared by the thread's clients): every subscription of a client is
 * also a route of a broker on the client's own thread, and the owning thread tells that thread
 * which routes it holds besides the client thread's own (`serveRouteInterest`). A message whose
 * subject no such route matches is routed on the client's thread, among its own clients, without
 * crossing to the owning thread and back: the routes that match it are all there, so the same
 * rules pick the same kind of receivers. Any other message goes to the owning thread's broker as
 * before. A route added on the owning thread bumps a shared counter before `add` returns, and the
 * client thread routes nothing itself while its list is older than the counter, so a message sent
 * after a subscription returned on either thread reaches it; until the first list arrives, every
 * message goes through the owning thread.
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
  subjectMatches,
} from './bus-codec.ts';
import { MemoryBroker, type Reply, type Route } from './memory-bus.ts';
import { answerCalls, PortCaller } from './port-calls.ts';

type SubscribeCall = { sid: number; subject: string; queue: string | undefined; serve: boolean };

/** A served broker: `close` removes the client's routes and closes the port. */
export type ServedBus = { close(): Promise<void> };

/** Options of `serveBus`. */
export type ServeBusOptions = {
  /** Marks the client's routes as held by `owner` (a thread), so `serveRouteInterest` can leave them out. */
  readonly owner?: string;
};

/** Serves `broker` to one `ThreadBus` on the other end of `port`. */
export function serveBus(broker: MemoryBroker, port: MessagePort, opts: ServeBusOptions = {}): ServedBus {
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
            ...(opts.owner !== undefined ? { owner: opts.owner } : {}),
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

type Delivery = { subject: string; data: string; reply?: Reply };
type RouteMessage =
  | { event: 'routes'; routes: { id: number; tokens: string[] }[]; version: number; shared: SharedArrayBuffer }
  | { event: 'route-added'; id: number; tokens: string[]; version: number }
  | { event: 'route-removed'; id: number; version: number };

/**
 * Tells the thread on the other end of `port` (its `LocalRoutes`) which routes `broker` holds that
 * `owner`'s clients (`serveBus` with that `owner`) do not: the list now, then every change.
 */
export function serveRouteInterest(broker: MemoryBroker, port: MessagePort, owner: string): ServedBus {
  const ids = new Map<Route, number>();
  let next = 0;
  let initial: { id: number; tokens: string[] }[] | undefined = [];
  // Bumped (before the message is sent) at every change: the other thread routes nothing itself
  // while its list is older than this, so a route added here is seen by every later message.
  const shared = new SharedArrayBuffer(4);
  const version = new Int32Array(shared);
  const post = (message: RouteMessage) => port.postMessage(message);
  const stop = broker.watch((change, route) => {
    if (route.owner === owner) return;
    if (change === 'add') {
      const id = next++;
      ids.set(route, id);
      if (initial) initial.push({ id, tokens: [...route.tokens] });
      else post({ event: 'route-added', id, tokens: [...route.tokens], version: Atomics.add(version, 0, 1) + 1 });
      return;
    }
    const id = ids.get(route);
    if (id === undefined) return;
    ids.delete(route);
    post({ event: 'route-removed', id, version: Atomics.add(version, 0, 1) + 1 });
  });
  post({ event: 'routes', routes: initial, version: Atomics.load(version, 0), shared });
  initial = undefined;
  return {
    async close() {
      stop();
      port.close();
    },
  };
}

/**
 * The routes of this thread's `ThreadBus` clients (see the header): a broker of their own, and the
 * subjects the owning thread's other routes match, as `serveRouteInterest` reports them.
 */
export class LocalRoutes {
  /** The routes of this thread's clients. */
  readonly broker = new MemoryBroker();
  readonly #port: MessagePort;
  readonly #elsewhere = new Map<number, readonly string[]>();
  /** The owning thread's change counter, and the change this thread's list reflects. */
  #version: Int32Array | undefined;
  #seen = -1;
  /** Messages routed on this thread (for metrics and tests). */
  routed = 0;

  constructor(port: MessagePort) {
    this.#port = port;
    port.on('message', (m: RouteMessage) => {
      switch (m.event) {
        case 'routes':
          for (const r of m.routes) this.#elsewhere.set(r.id, r.tokens);
          this.#version = new Int32Array(m.shared);
          break;
        case 'route-added':
          this.#elsewhere.set(m.id, m.tokens);
          break;
        case 'route-removed':
          this.#elsewhere.delete(m.id);
          break;
      }
      this.#seen = m.version;
    });
    port.on('close', () => {
      this.#version = undefined;
    });
  }

  /**
   * True when every route matching `subject` is on this thread: the list is current (no change on
   * the owning thread since the last one this thread applied) and no route there matches.
   */
  routesHere(subject: string): boolean {
    if (this.#version === undefined || Atomics.load(this.#version, 0) !== this.#seen) return false;
    const tokens = subject.split('.');
    for (const pattern of this.#elsewhere.values()) if (subjectMatches(pattern, tokens)) return false;
    return true;
  }

  /** Stops listening (the clients then send everything to the owning thread). */
  close(): void {
    this.#version = undefined;
    this.#port.close();
  }
}

type Live = { stop(): Promise<void> };

/** Options of `ThreadBus`. */
export type ThreadBusOptions = {
  /** Told about subscription handlers that threw (the message is dropped); default: ignored. */
  readonly onHandlerError?: (error: unknown, subject: string) => void;
  /** This thread's local routes, shared by its clients (see the header); without it every message crosses. */
  readonly local?: LocalRoutes;
};

/** `Bus` client of a broker served by another thread (`serveBus`); it owns its port. */
export class ThreadBus implements Bus {
  readonly #calls: PortCaller;
  readonly #onHandlerError: ((error: unknown, subject: string) => void) | undefined;
  readonly #local: LocalRoutes | undefined;
  readonly #deliveries = new Map<number, (d: Delivery) => void>();
  readonly #live = new Set<Live>();
  readonly #pending = new Set<() => void>();
  #nextSid = 0;
  #closed = false;

  constructor(port: MessagePort, opts: ThreadBusOptions = {}) {
    this.#onHandlerError = opts.onHandlerError;
    this.#local = opts.local;
    this.#calls = new PortCaller(port, (message) => {
      const deliver = this.#deliveries.get(message.sid as number);
      if (!deliver) return;
      const rid = message.rid as number;
      deliver({
        subject: message.subject as string,
        data: message.data as string,
        ...(message.event === 'request'
          ? { reply: (text: string) => this.#calls.send({ event: 'reply', rid, text }) }
          : {}),
      });
    });
  }

  async publish(subject: string, payload: unknown): Promise<void> {
    this.#checkOpen();
    checkSubject(subject, false);
    const data = encodePayload(payload);
    if (this.#local?.routesHere(subject)) {
      this.#local.routed++;
      this.#local.broker.route(subject, data, undefined);
      return;
    }
    // One-way, as a NATS publish: the broker routes it in order with this client's other calls.
    this.#calls.send({ event: 'publish', subject, data });
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
        const reply = d.reply;
        if (stopped || !reply) return;
        const task = (async () => {
          await new Promise((resolve) => setImmediate(resolve));
          const outcome = await settle(() => responder(decodePayload(d.data), { subject: d.subject }));
          reply(encodeReply(outcome));
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
      if (this.#local?.routesHere(subject)) {
        this.#local.routed++;
        const reached = this.#local.broker.route(subject, data, request.reply);
        if (reached === 0) request.fail(new PortError<BusErrorCode>('no_responders', `no responders on ${subject}`));
        return;
      }
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
    // The same subscription as a route on this thread, for messages its other clients route here.
    const local = this.#local;
    const route: Route | undefined = local && {
      tokens: checkSubject(subject, true),
      queue,
      deliver: (msgSubject, data, reply) => deliver({ subject: msgSubject, data, ...(reply ? { reply } : {}) }),
    };
    if (route) local!.broker.add(route);
    const live: Live = {
      stop: async () => {
        if (!this.#live.delete(live)) return;
        if (route) local!.broker.remove(route);
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
