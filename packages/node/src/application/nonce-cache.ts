/**
 * Remembers the nonces of accepted signatures for the replay window: a nonce seen again inside the
 * window is a replay. Entries older than the window are dropped (a signature that old is refused for
 * its `created` anyway), and the cache is bounded: when full it refuses new nonces rather than forget
 * live ones (fail closed).
 */
export class NonceCache {
  readonly #seen = new Map<string, number>();
  constructor(
    readonly windowMs: number,
    readonly capacity = 1_000_000,
  ) {}

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
