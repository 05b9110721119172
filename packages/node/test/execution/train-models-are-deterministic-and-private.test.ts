/**
 * The Train numeric core: a seeded PRNG, exact gradients of both models (checked against finite
 * differences), the exact binary model form and its hash, weighted FedAvg with clipping and
 * seeded Gaussian noise, the RDP accountant, the held-out split by subject, row-order
 * independence, and sealed boxes that open only with the session key and their context.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  declaredTrainingSpend,
  gaussianRdpEpsilon,
  trainingPrivacySpend,
} from '../../src/execution/train/dp-accountant.ts';
import { examplesOf } from '../../src/execution/train/examples.ts';
import { aggregate, clipUpdate } from '../../src/execution/train/fedavg.ts';
import { decodeFloats, encodeFloats, hashOfParameters } from '../../src/execution/train/model-codec.ts';
import {
  addGradient,
  initialParameters,
  type ModelShape,
  parameterCount,
  predict,
} from '../../src/execution/train/models.ts';
import { Prng } from '../../src/execution/train/prng.ts';
import { newSessionKeys, open, seal } from '../../src/execution/train/sealed-box.ts';
import { penguinTrainSpec } from '../support/train-network.ts';

const SEED = '7'.repeat(64);
const near = (a: number[], b: number[]) =>
  assert.ok(a.length === b.length && a.every((x, i) => Math.abs(x - b[i]!) < 1e-12), `${a} vs ${b}`);

describe('Train numeric core', () => {
  it('draws the same stream for the same seed and label, another for another label', () => {
    const a = new Prng(SEED, 'x');
    const b = new Prng(SEED, 'x');
    const c = new Prng(SEED, 'y');
    const xs = Array.from({ length: 64 }, () => a.nextFloat());
    assert.deepEqual(
      Array.from({ length: 64 }, () => b.nextFloat()),
      xs,
    );
    assert.notDeepEqual(
      Array.from({ length: 64 }, () => c.nextFloat()),
      xs,
    );
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    const p = new Prng(SEED, 'perm').permutation(50);
    assert.deepEqual(
      [...p].sort((x, y) => x - y),
      Array.from({ length: 50 }, (_, i) => i),
    );
  });

  for (const shape of [
    { kind: 'logistic_regression', inputs: 3, hidden: 0 },
    { kind: 'mlp', inputs: 3, hidden: 4 },
  ] as ModelShape[]) {
    it(`${shape.kind}: the gradient matches finite differences of the log loss`, () => {
      const prng = new Prng(SEED, 'grad');
      const p = initialParameters(shape, prng);
      for (let i = 0; i < p.length; i++) p[i] = p[i]! + 0.3 * (prng.nextFloat() - 0.5);
      const x = Float64Array.from([0.5, -1.2, 2.0]);
      const y = 1;
      const loss = (q: Float64Array) => -Math.log(predict(shape, q, x));
      const grad = new Float64Array(parameterCount(shape));
      addGradient(shape, p, x, y, grad, new Float64Array(Math.max(1, shape.hidden)));
      for (let i = 0; i < p.length; i++) {
        const h = 1e-6;
        const up = Float64Array.from(p);
        const down = Float64Array.from(p);
        up[i] = up[i]! + h;
        down[i] = down[i]! - h;
        const numeric = (loss(up) - loss(down)) / (2 * h);
        assert.ok(Math.abs(numeric - grad[i]!) < 1e-6, `parameter ${i}: ${numeric} vs ${grad[i]}`);
      }
    });
  }

  it('hashes the exact bytes: a one-ulp change changes the hash, and the bytes round-trip', () => {
    const p = Float64Array.from([0.1, -2.5, 3e-300, 12345.678]);
    const bytes = encodeFloats(p);
    assert.equal(bytes.length, 32);
    assert.deepEqual(decodeFloats(bytes), p);
    const q = Float64Array.from(p);
    const view = new DataView(q.buffer);
    view.setBigUint64(0, view.getBigUint64(0, true) + 1n, true);
    assert.notEqual(q[0], p[0]);
    assert.notEqual(hashOfParameters(q), hashOfParameters(p));
  });

  it('averages updates by weight in Vault order, clips to the norm, and adds seeded noise under DP', () => {
    const g = new Float64Array(2);
    const parts = [
      { vault_id: 'vlt_b', update: Float64Array.from([4, 0]), weight: 3 },
      { vault_id: 'vlt_a', update: Float64Array.from([0, 4]), weight: 1 },
    ];
    assert.deepEqual([...aggregate(g, parts, { round: 1 })], [3, 1]);
    near([...clipUpdate(Float64Array.from([3, 4]), 1)], [0.6, 0.8]);
    const clipped = aggregate(g, parts, { round: 1, clip: 1 });
    near([...clipped], [0.75, 0.25]);
    const wide = new Float64Array(4000);
    const noisy = (seed: string) =>
      aggregate(wide, [{ vault_id: 'vlt_a', update: new Float64Array(4000), weight: 5 }], {
        noiseSeed: seed,
        round: 2,
        clip: 2,
        dp: { noiseMultiplier: 1.5 },
      });
    const n1 = noisy(SEED);
    assert.deepEqual(noisy(SEED), n1, 'the noise is drawn from the (secret) noise seed');
    assert.notDeepEqual(noisy('8'.repeat(64)), n1);
    assert.throws(
      () =>
        aggregate(wide, [{ vault_id: 'vlt_a', update: wide, weight: 1 }], {
          round: 1,
          clip: 2,
          dp: { noiseMultiplier: 1 },
        }),
      /secret noise seed/,
      'DP noise is never drawn without the secret seed',
    );
    const std = Math.sqrt(n1.reduce((s, v) => s + v * v, 0) / n1.length);
    assert.ok(Math.abs(std - 3) < 0.15, `noise std ${std}, expected 1.5 x 2 / 1`);
  });

  it('accounts the Gaussian mechanism in RDP and charges every contributing subject the spend', () => {
    const one = gaussianRdpEpsilon(1, 1, 1e-5);
    assert.ok(Math.abs(one.epsilon - (3 + Math.log(1e5) / 5)) < 1e-9, `${one.epsilon} at alpha ${one.alpha}`);
    assert.ok(gaussianRdpEpsilon(2, 10, 1e-5).epsilon < gaussianRdpEpsilon(1, 10, 1e-5).epsilon);
    assert.ok(gaussianRdpEpsilon(1, 20, 1e-5).epsilon > gaussianRdpEpsilon(1, 10, 1e-5).epsilon);
    const spend = trainingPrivacySpend({ noise_multiplier: '1', delta: '0.00001' }, 1, ['act_b', 'act_a', 'act_b']);
    assert.deepEqual(spend.subjects, ['act_a', 'act_b']);
    assert.equal(spend.scope, 'model_training');
    assert.ok(Number(spend.epsilon) >= one.epsilon && Number(spend.epsilon) - one.epsilon < 1e-6, spend.epsilon);
    const spec = penguinTrainSpec({ dp: { noise_multiplier: '1', delta: '0.00001' } });
    assert.deepEqual(declaredTrainingSpend(spec), {
      scope: 'model_training',
      epsilon: trainingPrivacySpend(spec.dp!, spec.hyperparameters.rounds, []).epsilon,
      delta: '0.00001',
    });
    assert.equal(declaredTrainingSpend(penguinTrainSpec()), undefined);
  });

  it('holds out whole subjects and gives the same examples whatever the row order', () => {
    const spec = penguinTrainSpec({
      features: ['a', 'b'],
      label: 'y',
      positive_class: 'yes',
      evaluation: { holdout_bps: 3000 },
    });
    const rows = Array.from({ length: 90 }, (_, i) => ({
      subject: `act_s-${i % 30}`,
      fields: { a: `${i}.5`, b: String(i % 7), y: i % 3 === 0 ? 'yes' : 'no' },
    }));
    const e = examplesOf(rows, spec, SEED, 0);
    const train = new Set(e.train.subjects);
    assert.ok(e.holdout.subjects.length > 0 && e.train.subjects.length > 0);
    assert.ok(
      e.holdout.subjects.every((s) => !train.has(s)),
      'a subject is on one side only',
    );
    const reversed = examplesOf([...rows].reverse(), spec, SEED, 0);
    assert.deepEqual(reversed, e);
  });

  it('opens a sealed box only with the session key and under its context', () => {
    const session = newSessionKeys();
    const other = newSessionKeys();
    const box = seal(session.publicKeyHex, 'task/1/update/vlt_a', new Uint8Array([1, 2, 3]));
    assert.deepEqual([...open(session.privateKey, 'task/1/update/vlt_a', box)], [1, 2, 3]);
    assert.throws(() => open(session.privateKey, 'task/1/update/vlt_b', box));
    assert.throws(() => open(other.privateKey, 'task/1/update/vlt_a', box));
  });
});
