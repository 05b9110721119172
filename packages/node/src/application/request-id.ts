/** Request ids: a well-formed incoming `x-request-id` is kept (it correlates calls across services), else a fresh UUID. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The header that carries the request id, in and out. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** What an incoming request id may look like to be kept. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

/** The id of a request. */
export function requestIdOf(request: IncomingMessage): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
}
