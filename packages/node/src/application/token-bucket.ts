/** Per-actor token buckets: `capacity` requests at once, refilled at `refillPerSecond`. */
export type RateLimit = { capacity: number; refillPerSecond: number };

/** The default request rate of one actor: bursts of 200, 100 requests per second sustained. */
export const DEFAULT_RATE_LIMIT: RateLimit = { capacity: 200, refillPerSecond: 100 };

export class TokenBuckets {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  constructor(readonly limit: RateLimit = DEFAULT_RATE_LIMIT) {}

  /** Takes one token for `actor`; when none is left, the seconds until one is. */
  take(actor: string, nowMs: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const b = this.#buckets.get(actor) ?? { tokens: this.limit.capacity, at: nowMs };
    const elapsed = Math.max(0, nowMs - b.at) / 1000;
    b.tokens = Math.min(this.limit.capacity, b.tokens + elapsed * this.limit.refillPerSecond);
    b.at = nowMs;
    this.#buckets.set(actor, b);
    if (b.tokens < 1) {
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.limit.refillPerSecond)) };
    }
    b.tokens -= 1;
    return { ok: true };
  }
}
