/**
 * `Bus`: messages between nodes (events fan-out, work queues, request/reply). Subjects are
 * dot-separated tokens; subscriptions may use `*` (exactly one token) and `>` (one or more
 * trailing tokens) as NATS defines them. Payloads are JSON values (`undefined` travels as `null`).
 */

/** One delivered message. */
export type BusMessage = { readonly subject: string; readonly payload: unknown };

/** Handles published messages. */
export type BusHandler = (msg: BusMessage) => Promise<void> | void;

/**
 * Answers requests. Its resolved value is the reply; a thrown error with a string `code` reaches
 * the requester as a rejection with the same `code` and `message`; any other error arrives as
 * `internal` with a generic message. Stacks never cross the bus.
 */
export type BusResponder = (payload: unknown, msg: { readonly subject: string }) => Promise<unknown> | unknown;

/** Options of `subscribe` and `serve`. */
export type SubscribeOptions = {
  /** Members of one queue group share the work: each message reaches exactly one of them. */
  readonly queue?: string;
};

/** Options of `request`. */
export type RequestOptions = { readonly timeoutMs: number };

/** A live subscription. */
export type Subscription = {
  /** Stops delivery; resolves once no handler of this subscription is running. */
  unsubscribe(): Promise<void>;
};

/** Stable codes of the errors the bus itself raises (a responder may raise any other code). */
export const busErrorCodes = [
  'timeout',
  'no_responders',
  'closed',
  'internal',
  'invalid_subject',
  'invalid_payload',
] as const;
/** Stable codes of the errors the bus itself raises. */
export type BusErrorCode = (typeof busErrorCodes)[number];

/** Messages between nodes. */
export interface Bus {
  /** Publishes to every matching subscription (one member per queue group). Rejects on a bad subject or payload. */
  publish(subject: string, payload: unknown): Promise<void>;
  /**
   * Subscribes; resolves once the subscription is live, so a message published anywhere after
   * that reaches it. One subscription handles its messages one at a time, in publish order;
   * a handler that throws loses that message only.
   */
  subscribe(subject: string, handler: BusHandler, opts?: SubscribeOptions): Promise<Subscription>;
  /**
   * Sends a request and resolves with the first reply. Rejects with `no_responders` at once when
   * nothing subscribes to the subject, with `timeout` after `timeoutMs`, or with the responder's code.
   */
  request(subject: string, payload: unknown, opts: RequestOptions): Promise<unknown>;
  /** Answers requests on `subject` (concurrently: one slow request does not hold up the next). Live once resolved. */
  serve(subject: string, responder: BusResponder, opts?: SubscribeOptions): Promise<Subscription>;
  /** Ends every subscription made through this bus; pending requests reject with `closed`. */
  close(): Promise<void>;
}
