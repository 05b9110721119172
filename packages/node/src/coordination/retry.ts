/** Exponential backoff with a cap, for calls to other nodes. */
export type Backoff = { baseMs: number; maxMs: number };

export const DEFAULT_BACKOFF: Backoff = { baseMs: 100, maxMs: 5_000 };

/** The delay before retry number `attempt` (0-based): base * 2^attempt, capped. */
export function backoffDelay(backoff: Backoff, attempt: number): number {
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(attempt, 20));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.());
