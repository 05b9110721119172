/** Exponential backoff with a cap, for calls to other nodes. */
export type Backoff = { baseMs: number; maxMs: number };

export const DEFAULT_BACKOFF: Backoff = { baseMs: 100, maxMs: 5_000 };

/** The delay before retry number `attempt` (0-based): base * 2^attempt, capped. */
export function backoffDelay(backoff: Backoff, attempt: number): number {
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(attempt, 20));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.());

/**
 * Sends a bus request until it is answered, sleeping with backoff between tries. Before each try
 * `stillWanted()` is asked; once it says no (the task moved on, the node is stopping) the result
 * is `undefined`. Each failed try is reported to `onError`.
 */
export async function requestUntilAnswered<T>(
  send: () => Promise<unknown>,
  opts: { backoff: Backoff; stillWanted: () => boolean; onFailure?: (attempt: number, error: unknown) => void },
): Promise<T | undefined> {
  for (let n = 0; ; n++) {
    if (!opts.stillWanted()) return undefined;
    try {
      return (await send()) as T;
    } catch (error) {
      opts.onFailure?.(n + 1, error);
      await sleep(backoffDelay(opts.backoff, n));
    }
  }
}
