/**
 * A deterministic source of uniform integers drawn from a committed seed: SHA-256 in counter mode
 * over `(seed, label, block)`. Equal seed and label give the same sequence on every node, so a
 * verifier replays the noise of a release bit for bit. Never use it for secrets.
 */
import { createHash } from 'node:crypto';

const DRAW_BYTES = 6;
const DRAW_RANGE = 2 ** 48;

export class SeededIntegers {
  #block = 0;
  #buffer = Buffer.alloc(0);
  #offset = 0;

  constructor(
    readonly seed: string,
    readonly label: string,
  ) {}

  #refill(): void {
    this.#buffer = createHash('sha256')
      .update(`scp/v1/privacy-noise\u0000${this.seed}\u0000${this.label}\u0000${this.#block++}`)
      .digest();
    this.#offset = 0;
  }

  /** A uniform integer in [0, 2^48). */
  #draw(): number {
    if (this.#offset + DRAW_BYTES > this.#buffer.length) this.#refill();
    const v = this.#buffer.readUIntBE(this.#offset, DRAW_BYTES);
    this.#offset += DRAW_BYTES;
    return v;
  }

  /** A uniform integer in [0, n) for 1 <= n <= 2^48, by rejection (no modulo bias). */
  below(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1 || n > DRAW_RANGE) throw new RangeError(`below(${n})`);
    const limit = DRAW_RANGE - (DRAW_RANGE % n);
    for (;;) {
      const v = this.#draw();
      if (v < limit) return v % n;
    }
  }
}
