/**
 * Remembers the nonces of accepted signatures for the replay window: a nonce seen again inside the
 * window is a replay. Entries older than the window are dropped (a signature that old is refused for
 * its `created` anyway), and the cache is bounded: when full it refuses new nonces rather than forget
 * live ones (fail closed).
 *
 * The cache lives in memory, so it cannot know what a previous process accepted. It therefore only
 * vouches for signatures created after it started (less a second of clock tolerance, far shorter
 * than any restart): an older signature may have been used before a restart and is refused, and its
 * sender signs afresh.
 */
export class NonceCache {
  readonly #seen = new Map<string, number>();
  /** Signatures created before this time (ms) predate the cache and cannot be checked. */
  readonly rememberedSinceMs: number;
  constructor(
    readonly windowMs: number,
    startedAtMs: number,
    readonly capacity = 1_000_000,
  ) {
    this.rememberedSinceMs = startedAtMs - 1_000;
  }

  /** Whether a signature created at `createdMs` is recent enough for this cache to have seen its nonce. */
  remembers(createdMs: number): boolean {
    return createdMs >= this.rememberedSinceMs;
  }

  /** Records `keyid`+`nonce` at `now`; false when it was already seen inside the window or the cache is full. */
  claim(keyid: string, nonce: string, nowMs: number): boolean {
    const key = `${keyid} ${nonce}`;
    const at = this.#seen.get(key);
    if (at !== undefined && nowMs - at <= 2 * this.windowMs) return false;
    if (this.#seen.size >= this.capacity) this.#evict(nowMs);
    if (this.#seen.size >= this.capacity) return false;
    this.#seen.set(key, nowMs);
    return true;
  }

  get size(): number {
    return this.#seen.size;
  }

  #evict(nowMs: number): void {
    // Insertion order is time order: drop from the front while expired.
    for (const [key, at] of this.#seen) {
      if (nowMs - at <= 2 * this.windowMs) break;
      this.#seen.delete(key);
    }
  }
}
