/**
 * The bus in process memory, for the embedded deployment and tests. A `MemoryBroker` is the
 * network (NATS server); each node holds its own `MemoryBus` client on it, so closing one node's
 * bus ends only that node's subscriptions. Delivery is always asynchronous (never inside the
 * publisher's call stack), payloads cross as JSON text, and subject wildcards, queue groups and
 * no-responders behave as in NATS.
 */
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

/** Sends a reply's text back to the requester. */
export type Reply = (text: string) => void;

/** A subscription as the broker sees it: its subject tokens, queue group and delivery. */
export type Route = {
  readonly tokens: readonly string[];
  readonly queue: string | undefined;
  /** Who holds the route, when a served client says (`serveBus`'s `owner`, e.g. a pipeline thread). */
  readonly owner?: string;
  deliver(subject: string, data: string, reply: Reply | undefined): void;
};

/** Told about every route added or removed (see `MemoryBroker.watch`). */
export type RouteWatcher = (change: 'add' | 'remove', route: Route) => void;

/** The in-process network that `MemoryBus` clients share. */
export class MemoryBroker {
  readonly #routes = new Set<Route>();
  readonly #watchers = new Set<RouteWatcher>();

  /** A new client on this network. */
  connect(opts: Omit<MemoryBusOptions, 'broker'> = {}): MemoryBus {
    return new MemoryBus({ ...opts, broker: this });
  }

  /** Adds a route (used by `MemoryBus`). */
  add(route: Route): void {
    if (this.#routes.has(route)) return;
    this.#routes.add(route);
    for (const w of this.#watchers) w('add', route);
  }

  /** Removes a route (used by `MemoryBus`). */
  remove(route: Route): void {
    if (!this.#routes.delete(route)) return;
    for (const w of this.#watchers) w('remove', route);
  }

  /**
   * Calls `watcher` with every route there is now (as added), then with every route added or
   * removed later; returns the function that stops it.
   */
  watch(watcher: RouteWatcher): () => void {
    for (const route of this.#routes) watcher('add', route);
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }

  /** Delivers to every matching route, one random member per queue group; returns how many got it. */
  route(subject: string, data: string, reply: Reply | undefined): number {
    const tokens = subject.split('.');
    const groups = new Map<string, Route[]>();
    const targets: Route[] = [];
    for (const route of this.#routes) {
      if (!subjectMatches(route.tokens, tokens)) continue;
      if (route.queue === undefined) targets.push(route);
      else groups.set(route.queue, [...(groups.get(route.queue) ?? []), route]);
    }
    for (const members of groups.values()) {
      const chosen = members[Math.floor(Math.random() * members.length)];
      if (chosen) targets.push(chosen);
    }
    for (const route of targets) route.deliver(subject, data, reply);
    return targets.length;
  }
}

/** Options of `MemoryBus`. */
export type MemoryBusOptions = {
  /** The network to join (default: a private one, reachable only through this client). */
  readonly broker?: MemoryBroker;
  /** Told about subscription handlers that threw (the message is dropped); default: ignored. */
  readonly onHandlerError?: (error: unknown, subject: string) => void;
};

type Live = { readonly route: Route; stop(): Promise<void> };

/** `Bus` client on a `MemoryBroker`. */
export class MemoryBus implements Bus {
  /** The network this client is on. */
  readonly broker: MemoryBroker;
  readonly #onHandlerError: ((error: unknown, subject: string) => void) | undefined;
  readonly #live = new Set<Live>();
  readonly #pending = new Set<() => void>();
  #closed = false;

  constructor(opts: MemoryBusOptions = {}) {
    this.broker = opts.broker ?? new MemoryBroker();
    this.#onHandlerError = opts.onHandlerError;
  }

  async publish(subject: string, payload: unknown): Promise<void> {
    this.#checkOpen();
    checkSubject(subject, false);
    this.broker.route(subject, encodePayload(payload), undefined);
  }

  async subscribe(subject: string, handler: BusHandler, opts?: SubscribeOptions): Promise<Subscription> {
    this.#checkOpen();
    const tokens = checkSubject(subject, true);
    checkQueue(opts?.queue);
    const queue: { subject: string; data: string }[] = [];
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
    const route: Route = {
      tokens,
      queue: opts?.queue,
      deliver: (msgSubject, data) => {
        if (stopped) return;
        queue.push({ subject: msgSubject, data });
        draining ??= drain();
      },
    };
    return this.#register(route, async () => {
      stopped = true;
      queue.length = 0;
      await draining;
    });
  }

  async serve(subject: string, responder: BusResponder, opts?: SubscribeOptions): Promise<Subscription> {
    this.#checkOpen();
    const tokens = checkSubject(subject, true);
    checkQueue(opts?.queue);
    const inFlight = new Set<Promise<void>>();
    let stopped = false;
    const route: Route = {
      tokens,
      queue: opts?.queue,
      deliver: (msgSubject, data, reply) => {
        if (stopped || !reply) return;
        const task = (async () => {
          await new Promise((resolve) => setImmediate(resolve));
          const outcome = await settle(() => responder(decodePayload(data), { subject: msgSubject }));
          reply(encodeReply(outcome));
        })();
        inFlight.add(task);
        void task.finally(() => inFlight.delete(task));
      },
    };
    return this.#register(route, async () => {
      stopped = true;
      await Promise.all(inFlight);
    });
  }

  request(subject: string, payload: unknown, opts: RequestOptions): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#checkOpen();
      checkSubject(subject, false);
      if (!(opts.timeoutMs > 0)) throw new RangeError('timeoutMs must be positive');
      const data = encodePayload(payload);
      const request = pendingRequest(subject, opts.timeoutMs, this.#pending, resolve, reject);
      const reached = this.broker.route(subject, data, request.reply);
      if (reached === 0) request.fail(new PortError<BusErrorCode>('no_responders', `no responders on ${subject}`));
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const cancel of [...this.#pending]) cancel();
    await Promise.all([...this.#live].map((live) => live.stop()));
  }

  #register(route: Route, stop: () => Promise<void>): Subscription {
    const live: Live = {
      route,
      stop: async () => {
        this.broker.remove(route);
        this.#live.delete(live);
        await stop();
      },
    };
    this.broker.add(route);
    this.#live.add(live);
    return { unsubscribe: () => live.stop() };
  }

  #checkOpen(): void {
    if (this.#closed) throw closedBus();
  }
}
