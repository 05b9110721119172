/** Wire rules shared by the bus adapters: subjects, JSON payloads, reply envelopes, error transport. */
import type { BusErrorCode } from '../ports/bus.ts';
import { hasErrorCode, PortError } from '../ports/errors.ts';

/** A reply on the wire: the responder's value, or its typed error (code and message, never a stack). */
export type ReplyEnvelope =
  | { readonly ok: true; readonly value?: unknown }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

const TOKEN = /^[^\s.*>]+$/;
const CODE = /^[a-z][a-z0-9_]{0,63}$/;
const MAX_MESSAGE = 500;

/**
 * Throws `invalid_subject` unless `subject` is dot-separated non-empty tokens without whitespace;
 * with `wildcards`, a token may be `*`, and the last token may be `>`.
 */
export function checkSubject(subject: string, wildcards: boolean): string[] {
  const tokens = typeof subject === 'string' ? subject.split('.') : [];
  const ok =
    tokens.length > 0 &&
    tokens.every((t, i) => TOKEN.test(t) || (wildcards && (t === '*' || (t === '>' && i === tokens.length - 1))));
  if (!ok) {
    throw new PortError<BusErrorCode>(
      'invalid_subject',
      `invalid ${wildcards ? 'subscription' : 'publish'} subject ${JSON.stringify(String(subject))}`,
    );
  }
  return tokens;
}

/** Throws `invalid_subject` unless `queue` is a single token. */
export function checkQueue(queue: string | undefined): void {
  if (queue !== undefined && (typeof queue !== 'string' || !TOKEN.test(queue))) {
    throw new PortError<BusErrorCode>('invalid_subject', `invalid queue group ${JSON.stringify(String(queue))}`);
  }
}

/** True when the subscription `pattern` (tokens) matches the concrete `subject` (tokens), NATS-style. */
export function subjectMatches(pattern: readonly string[], subject: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p === '>') return subject.length > i;
    if (i >= subject.length) return false;
    if (p !== '*' && p !== subject[i]) return false;
  }
  return pattern.length === subject.length;
}

/** The payload as JSON text (`undefined` as `null`); throws `invalid_payload` when it is not JSON-serializable. */
export function encodePayload(payload: unknown): string {
  try {
    return JSON.stringify(payload) ?? 'null';
  } catch (error) {
    throw new PortError<BusErrorCode>('invalid_payload', 'payload is not JSON-serializable', { cause: error });
  }
}

/** Parses a payload; throws `invalid_payload` on text that is not JSON. */
export function decodePayload(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PortError<BusErrorCode>('invalid_payload', 'payload is not JSON', { cause: error });
  }
}

/**
 * The reply for a responder's outcome. A typed error keeps its `code` and `message`; any other
 * error becomes `internal` with a generic message, so nothing unvetted leaves the process.
 */
export function encodeReply(outcome: { ok: true; value: unknown } | { ok: false; error: unknown }): string {
  if (outcome.ok) {
    try {
      return JSON.stringify({ ok: true, value: outcome.value ?? null } satisfies ReplyEnvelope);
    } catch {
      return encodeReply({ ok: false, error: new PortError('internal', 'reply is not JSON-serializable') });
    }
  }
  const { error } = outcome;
  const typed = hasErrorCode(error) && CODE.test(error.code);
  const wire = typed
    ? { code: error.code, message: String(error.message).slice(0, MAX_MESSAGE) }
    : { code: 'internal', message: 'internal error' };
  return JSON.stringify({ ok: false, error: wire } satisfies ReplyEnvelope);
}

/** The value of a reply, or throws its error as a `PortError` with the responder's code and message. */
export function decodeReply(text: string): unknown {
  const reply = decodePayload(text) as ReplyEnvelope | null;
  if (typeof reply !== 'object' || reply === null || typeof reply.ok !== 'boolean') {
    throw new PortError<BusErrorCode>('invalid_payload', 'malformed reply');
  }
  if (reply.ok) return reply.value ?? null;
  throw new PortError(String(reply.error?.code ?? 'internal'), String(reply.error?.message ?? 'internal error'));
}

/** A `closed` error for a bus. */
export function closedBus(): PortError<BusErrorCode> {
  return new PortError<BusErrorCode>('closed', 'bus is closed');
}

/** How a request ends, whichever comes first; later outcomes are ignored. */
export type PendingRequest = {
  /** The reply's text arrived. */
  reply(text: string): void;
  /** No responder, or another failure. */
  fail(error: unknown): void;
  /** The request's own timeout. */
  expire(): void;
};

/**
 * Settles a request's promise once: with the decoded reply, a failure, `timeout` after
 * `timeoutMs`, or `closed` when the bus closes (it calls every function left in `pending`).
 */
export function pendingRequest(
  subject: string,
  timeoutMs: number,
  pending: Set<() => void>,
  resolve: (value: unknown) => void,
  reject: (error: unknown) => void,
): PendingRequest {
  let settled = false;
  const finish = (outcome: () => void) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    pending.delete(cancel);
    outcome();
  };
  const cancel = () => finish(() => reject(closedBus()));
  const expire = () =>
    finish(() => reject(new PortError<BusErrorCode>('timeout', `no reply on ${subject} within ${timeoutMs} ms`)));
  const timer = setTimeout(expire, timeoutMs);
  pending.add(cancel);
  return {
    reply: (text) =>
      finish(() => {
        try {
          resolve(decodeReply(text));
        } catch (error) {
          reject(error);
        }
      }),
    fail: (error) => finish(() => reject(error)),
    expire,
  };
}

/** Runs `fn` and returns its outcome, never throwing. */
export async function settle(fn: () => unknown): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error };
  }
}
