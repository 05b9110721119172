/**
 * A `Bus` that puts every subject under `<prefix>.`: several networks (a cluster, a test run)
 * share one NATS server without hearing each other's messages. Errors and replies pass through.
 */
import type { Bus, BusHandler, BusResponder, RequestOptions, SubscribeOptions, Subscription } from '../ports/bus.ts';

const PREFIX = /^[A-Za-z0-9_-]{1,100}$/;

/** `Bus` decorator that namespaces subjects. */
export class PrefixedBus implements Bus {
  readonly #inner: Bus;
  readonly #prefix: string;
  /** Requests being answered by this bus's responders now, and answered so far (for metrics). */
  inFlight = 0;
  served = 0;

  constructor(inner: Bus, prefix: string) {
    if (!PREFIX.test(prefix)) throw new RangeError(`invalid bus prefix ${JSON.stringify(prefix)}`);
    this.#inner = inner;
    this.#prefix = prefix;
  }

  #at(subject: string): string {
    return `${this.#prefix}.${subject}`;
  }

  #strip(subject: string): string {
    return subject.startsWith(`${this.#prefix}.`) ? subject.slice(this.#prefix.length + 1) : subject;
  }

  publish(subject: string, payload: unknown): Promise<void> {
    return this.#inner.publish(this.#at(subject), payload);
  }

  subscribe(subject: string, handler: BusHandler, opts?: SubscribeOptions): Promise<Subscription> {
    return this.#inner.subscribe(
      this.#at(subject),
      (msg) => handler({ subject: this.#strip(msg.subject), payload: msg.payload }),
      opts,
    );
  }

  request(subject: string, payload: unknown, opts: RequestOptions): Promise<unknown> {
    return this.#inner.request(this.#at(subject), payload, opts);
  }

  serve(subject: string, responder: BusResponder, opts?: SubscribeOptions): Promise<Subscription> {
    return this.#inner.serve(
      this.#at(subject),
      async (payload, msg) => {
        this.inFlight++;
        try {
          return await responder(payload, { subject: this.#strip(msg.subject) });
        } finally {
          this.inFlight--;
          this.served++;
        }
      },
      opts,
    );
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
