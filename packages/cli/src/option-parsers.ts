/** Parsers for option and argument values; they throw commander's `InvalidArgumentError` with a reason. */
import { IDEMPOTENCY_KEY_PATTERN as IDEMPOTENCY_KEY_PATTERN_SOURCE } from '@symphony/api';
import { InvalidArgumentError } from 'commander';

/** A positive integer (`--limit`, epochs). */
export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** A TCP port, 0 for an ephemeral one. */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65_535) throw new InvalidArgumentError('expected a port number 0..65535');
  return n;
}

/** A duration in seconds (fractions allowed), returned in milliseconds. */
export function parseSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n <= 0) throw new InvalidArgumentError('expected a number of seconds > 0');
  return Math.round(n * 1000);
}

/** An actor id such as `act_sub-0001`. */
export function parseActorId(value: string): string {
  if (!/^act_[0-9a-z][0-9a-z_-]{0,62}$/.test(value))
    throw new InvalidArgumentError('expected an actor id like act_sub-0001');
  return value;
}

/** A task id such as `tsk_...`. */
export function parseTaskId(value: string): string {
  if (!/^tsk_[0-9a-z][0-9a-z_-]{0,62}$/.test(value)) throw new InvalidArgumentError('expected a task id like tsk_...');
  return value;
}

/** A base URL (`http://host:port`). */
export function parseUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new InvalidArgumentError('expected an http(s) URL such as http://127.0.0.1:7070');
  }
  return value.replace(/\/+$/, '');
}

/**
 * An Idempotency-Key as the API accepts it (1..128 of letters, digits, `_ . : -`). The pattern
 * mirrors the server's; it belongs in `@symphony/api` beside the other wire schemas.
 */
export const IDEMPOTENCY_KEY_PATTERN = new RegExp(IDEMPOTENCY_KEY_PATTERN_SOURCE);

/** An Idempotency-Key (see {@link IDEMPOTENCY_KEY_PATTERN}). */
export function parseIdempotencyKey(value: string): string {
  if (!IDEMPOTENCY_KEY_PATTERN.test(value))
    throw new InvalidArgumentError('expected 1..128 letters, digits or _ . : - (e.g. count-coffee-2026-11)');
  return value;
}
