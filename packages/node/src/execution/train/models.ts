/**
 * The models Train fits, over Float64Array parameters: logistic regression and a one-hidden-layer
 * perceptron (tanh hidden units, sigmoid output), both for a binary label with the log loss.
 * Every loop runs in index order, so sums are taken in a fixed order and a seed fixes every bit.
 */
import type { Prng } from './prng.ts';

export type ModelKind = 'logistic_regression' | 'mlp';

/** A model's shape: its kind, input width and (MLP) hidden units. */
export type ModelShape = { kind: ModelKind; inputs: number; hidden: number };

/** Parameters in one array: LR `[w_0..w_{d-1}, b]`; MLP `[W1 (h x d, row-major), b1 (h), w2 (h), b2]`. */
export function parameterCount(s: ModelShape): number {
  return s.kind === 'logistic_regression' ? s.inputs + 1 : s.hidden * s.inputs + 2 * s.hidden + 1;
}

/** Initial parameters: LR zeros; MLP Glorot-uniform first layer and output weights, zero biases. */
export function initialParameters(s: ModelShape, prng: Prng): Float64Array {
  const p = new Float64Array(parameterCount(s));
  if (s.kind === 'logistic_regression') return p;
  const a1 = Math.sqrt(6 / (s.inputs + s.hidden));
  for (let i = 0; i < s.hidden * s.inputs; i++) p[i] = (2 * prng.nextFloat() - 1) * a1;
  const a2 = Math.sqrt(6 / (s.hidden + 1));
  const w2 = s.hidden * s.inputs + s.hidden;
  for (let j = 0; j < s.hidden; j++) p[w2 + j] = (2 * prng.nextFloat() - 1) * a2;
  return p;
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** P(label = 1 | x). `scratch` (MLP: length `hidden`) receives the hidden activations. */
export function predict(s: ModelShape, p: Float64Array, x: Float64Array, scratch?: Float64Array): number {
  const d = s.inputs;
  if (s.kind === 'logistic_regression') {
    let z = p[d]!;
    for (let i = 0; i < d; i++) z += p[i]! * x[i]!;
    return sigmoid(z);
  }
  const h = s.hidden;
  const b1 = h * d;
  const w2 = b1 + h;
  const a = scratch ?? new Float64Array(h);
  let z = p[w2 + h]!;
  for (let j = 0; j < h; j++) {
    let u = p[b1 + j]!;
    for (let i = 0; i < d; i++) u += p[j * d + i]! * x[i]!;
    a[j] = Math.tanh(u);
    z += p[w2 + j]! * a[j]!;
  }
  return sigmoid(z);
}

/** Adds the gradient of the log loss of one example `(x, y)` to `grad`. */
export function addGradient(
  s: ModelShape,
  p: Float64Array,
  x: Float64Array,
  y: number,
  grad: Float64Array,
  scratch: Float64Array,
): void {
  const d = s.inputs;
  const out = predict(s, p, x, scratch);
  const e = out - y;
  if (s.kind === 'logistic_regression') {
    for (let i = 0; i < d; i++) grad[i] = grad[i]! + e * x[i]!;
    grad[d] = grad[d]! + e;
    return;
  }
  const h = s.hidden;
  const b1 = h * d;
  const w2 = b1 + h;
  for (let j = 0; j < h; j++) {
    const aj = scratch[j]!;
    grad[w2 + j] = grad[w2 + j]! + e * aj;
    const delta = e * p[w2 + j]! * (1 - aj * aj);
    for (let i = 0; i < d; i++) grad[j * d + i] = grad[j * d + i]! + delta * x[i]!;
    grad[b1 + j] = grad[b1 + j]! + delta;
  }
  grad[w2 + h] = grad[w2 + h]! + e;
}

/** Scratch space `predict`/`addGradient` need for a shape. */
export const scratchFor = (s: ModelShape) => new Float64Array(Math.max(1, s.hidden));
