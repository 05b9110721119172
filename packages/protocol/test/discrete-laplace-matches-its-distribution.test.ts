import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bernoulliExp,
  type LaplaceScale,
  laplaceBound,
  laplaceMass,
  SeededIntegers,
  sampleDiscreteLaplace,
} from '../src/index.ts';

/** Upper 0.1% points of the chi-square distribution by degrees of freedom. */
const CHI2_999: Record<number, number> = { 10: 29.59, 14: 36.12, 18: 42.31, 22: 48.27, 26: 54.05, 30: 59.7 };

function chiSquare(scale: LaplaceScale, n: number, K: number, seed: string) {
  const rng = new SeededIntegers(seed, 'chi-square');
  const observed = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const x = sampleDiscreteLaplace(rng, scale);
    const bin = Math.max(-K - 1, Math.min(K + 1, x)); // ±(K+1) collect the tails
    observed.set(bin, (observed.get(bin) ?? 0) + 1);
  }
  let stat = 0;
  let inner = 0;
  for (let x = -K; x <= K; x++) {
    const p = laplaceMass(scale, x);
    inner += p;
    const e = p * n;
    stat += ((observed.get(x) ?? 0) - e) ** 2 / e;
  }
  const tail = ((1 - inner) / 2) * n;
  for (const x of [-K - 1, K + 1]) stat += ((observed.get(x) ?? 0) - tail) ** 2 / tail;
  return { stat, df: 2 * K + 2, observed };
}

describe('the discrete Laplace sampler', () => {
  it('matches exp(-|x|/b) on 10^5 samples (chi-square, scale 3)', () => {
    const { stat, df } = chiSquare({ t: 3, s: 1 }, 100_000, 10, 'seed-a');
    assert.ok(stat < CHI2_999[df]!, `chi-square ${stat.toFixed(2)} over df ${df}`);
  });

  it('matches a fractional scale t/s = 7/2 on 10^5 samples', () => {
    const { stat, df } = chiSquare({ t: 7, s: 2 }, 100_000, 12, 'seed-b');
    assert.ok(stat < CHI2_999[df]!, `chi-square ${stat.toFixed(2)} over df ${df}`);
  });

  it('would reject a sampler of the wrong scale (the test can fail)', () => {
    // Samples drawn at scale 4 judged against the mass of scale 3.
    const rng = new SeededIntegers('seed-c', 'wrong');
    const n = 100_000;
    const K = 10;
    const counts = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const x = Math.max(-K - 1, Math.min(K + 1, sampleDiscreteLaplace(rng, { t: 4, s: 1 })));
      counts.set(x, (counts.get(x) ?? 0) + 1);
    }
    let stat = 0;
    for (let x = -K; x <= K; x++) {
      const e = laplaceMass({ t: 3, s: 1 }, x) * n;
      stat += ((counts.get(x) ?? 0) - e) ** 2 / e;
    }
    assert.ok(stat > CHI2_999[22]!, `chi-square ${stat.toFixed(2)}`);
  });

  it('draws Bernoulli(exp(-γ)) at the right rate for γ above and below 1', () => {
    for (const [n, d] of [
      [1, 3],
      [5, 2],
    ] as const) {
      const rng = new SeededIntegers('bern', `${n}/${d}`);
      let ones = 0;
      const N = 50_000;
      for (let i = 0; i < N; i++) if (bernoulliExp(rng, n, d)) ones++;
      const p = Math.exp(-n / d);
      const sd = Math.sqrt((p * (1 - p)) / N);
      assert.ok(Math.abs(ones / N - p) < 5 * sd, `${ones / N} vs ${p}`);
    }
  });

  it('states a 99% bound that about 99% of draws respect, and replays from the seed', () => {
    const scale = { t: 20, s: 1 };
    const k = laplaceBound(scale);
    const rng = new SeededIntegers('bound', 'x');
    let inside = 0;
    const N = 20_000;
    for (let i = 0; i < N; i++) if (Math.abs(sampleDiscreteLaplace(rng, scale)) <= k) inside++;
    assert.ok(inside / N >= 0.985 && inside / N <= 0.995, `${inside / N} inside ±${k}`);
    // The tail mass just beyond the bound is at most 1%, and just inside it is above.
    const tail = (m: number) => 1 - [...Array(2 * m + 1).keys()].reduce((s, i) => s + laplaceMass(scale, i - m), 0);
    assert.ok(tail(k) <= 0.01 && tail(k - 1) > 0.01);
    const a = new SeededIntegers('same', 'label');
    const b = new SeededIntegers('same', 'label');
    const xs = Array.from({ length: 50 }, () => sampleDiscreteLaplace(a, scale));
    assert.deepEqual(
      Array.from({ length: 50 }, () => sampleDiscreteLaplace(b, scale)),
      xs,
    );
  });
});
