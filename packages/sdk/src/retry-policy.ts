/** When and how long the client waits before sending a request again. */

/** Retry settings: attempts in all (the first included), and the exponential backoff. */
export type RetryPolicy = {
  /** Attempts in all, the first included (default 5; 1 turns retries off). */
  attempts: number;
  /** First backoff in milliseconds (default 200). */
  baseDelayMs: number;
  /** Largest single wait in milliseconds, `Retry-After` included (default 30 s). */
  maxDelayMs: number;
};

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 30_000 };

/** Statuses that mean "the server did nothing, ask again later". */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/**
 * Milliseconds a `Retry-After` header asks for (delta-seconds or an HTTP date), or undefined when
 * absent or unreadable. A date in the past means no wait.
 */
export function retryAfterMs(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/**
 * The wait before attempt `attempt + 1` (attempt counts from 1): `Retry-After` when the server sent
 * one, else full-jitter exponential backoff; never more than `maxDelayMs`.
 */
export function backoffMs(
  policy: RetryPolicy,
  attempt: number,
  retryAfter: number | undefined,
  random: number,
): number {
  if (retryAfter !== undefined) return Math.min(retryAfter, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(ceiling * (0.5 + random / 2));
}
