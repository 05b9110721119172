/**
 * The 99% bound stated beside every noisy count and sum is the exact 99% point of the discrete
 * Laplace law of its scale: the tail mass past it is at most 1% and past one less it is more, for
 * every scale the plans of the default policy use (and random ones). The tail is summed from the
 * mass function (the geometric closed form for very large scales).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultQueryPolicy, type LaplaceScale, laplaceBound, laplaceMass, planQuery } from '../src/index.ts';

/**
 * P(|X| > k): summed from the mass until the remaining terms are negligible for scales up to 2000;
 * for larger ones (millions of terms) from the geometric tail 2 e^(-(k+1)/b) / (1 + e^(-1/b)).
 */
function tailBeyond(scale: LaplaceScale, k: number): number {
  const b = scale.t / scale.s;
  if (b > 2000) return (2 * Math.exp(-(k + 1) / b)) / (1 + Math.exp(-1 / b));
  let tail = 0;
  for (let x = k + 1; ; x++) {
    const m = laplaceMass(scale, x);
    tail += 2 * m;
    if (m < 1e-15 * tail || x > k + 200 * (scale.t / scale.s) + 1000) return tail;
  }
}

function isExact99(scale: LaplaceScale): boolean {
  const k = laplaceBound(scale);
  return tailBeyond(scale, k) <= 0.01 + 1e-12 && (k === 0 || tailBeyond(scale, k - 1) > 0.01);
}

describe('the stated 99% bound of the discrete Laplace mechanism', () => {
  it('is the exact 99% point for every scale the default plans use', () => {
    const policy = defaultQueryPolicy(5);
    const aggregates = [
      [{ fn: 'count_distinct_subjects' as const }],
      [
        { fn: 'count_distinct_subjects' as const },
        { fn: 'sum' as const, attribute: 'a', clamp: { lower: '0', upper: '200' } },
        { fn: 'mean' as const, attribute: 'b', clamp: { lower: '-5', upper: '50' } },
      ],
      [{ fn: 'sum' as const, attribute: 'a', clamp: { lower: '0', upper: '1' } }],
    ];
    let scales = 0;
    for (const a of aggregates) {
      const p = planQuery({ kind: 'query', filter: [], group_by: ['g'], aggregates: a }, policy);
      assert.ok(p.ok);
      for (const c of p.plan.components) {
        assert.ok(c.scale);
        assert.equal(c.bound99, laplaceBound(c.scale));
        assert.ok(isExact99(c.scale), `scale ${c.scale.t}/${c.scale.s}: bound ${c.bound99}`);
        scales++;
      }
    }
    assert.ok(scales >= 5);
  });

  it('is the exact 99% point for small, fractional and large random scales', () => {
    let seed = 12345;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let i = 0; i < 200; i++) {
      const scale = { t: 1 + (next() % 5000), s: 1 + (next() % 50) };
      assert.ok(isExact99(scale), `scale ${scale.t}/${scale.s}`);
    }
    for (const scale of [
      { t: 1, s: 1 },
      { t: 1, s: 7 },
      { t: 3, s: 2 },
    ])
      assert.ok(isExact99(scale), `scale ${scale.t}/${scale.s}`);
  });

  it('would be caught if it were the bound of another scale', () => {
    const scale = { t: 160, s: 1 };
    const wrong = laplaceBound({ t: 80, s: 1 });
    assert.ok(tailBeyond(scale, wrong) > 0.01);
  });
});
