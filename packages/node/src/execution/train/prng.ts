/**
 * A deterministic pseudo-random generator for training (initialization, shuffling, DP noise):
 * sfc32 over 32-bit integer arithmetic, seeded from a 64-hex seed and a label, so the same seed
 * gives the same stream in every process. Never `Math.random`.
 */
import { sha256Hex } from '@symphony/protocol';

export class Prng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  #spare: number | undefined;

  /** A stream for `label` under `seed` (64 hex): independent labels give independent streams. */
  constructor(seed: string, label: string) {
    const h = sha256Hex(new TextEncoder().encode(`${seed}/${label}`));
    this.#a = Number.parseInt(h.slice(0, 8), 16) | 0;
    this.#b = Number.parseInt(h.slice(8, 16), 16) | 0;
    this.#c = Number.parseInt(h.slice(16, 24), 16) | 0;
    this.#d = Number.parseInt(h.slice(24, 32), 16) | 0;
    for (let i = 0; i < 16; i++) this.nextUint32();
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** An integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.nextFloat() * n);
  }

  /** A standard normal draw (Box-Muller; the second value of each pair is kept for the next call). */
  nextGaussian(): number {
    if (this.#spare !== undefined) {
      const s = this.#spare;
      this.#spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.nextFloat();
    const v = this.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}
