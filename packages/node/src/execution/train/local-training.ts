/**
 * Local training inside a Vault's enclave: minibatch SGD from the global model over the Vault's
 * standardized training split, for the task's local epochs, in an order drawn from the training
 * seed, the round and the Vault (so a replay draws the same order). Returns the update (local
 * model minus global model) and its weight (the number of training examples).
 */
import type { Examples } from './examples.ts';
import { addGradient, type ModelShape, scratchFor } from './models.ts';
import type { Prng } from './prng.ts';

export type TrainingSettings = { localEpochs: number; learningRate: number; batchSize: number };

/** Runs the local epochs and returns the update and its weight. */
export function trainLocally(
  shape: ModelShape,
  global: Float64Array,
  data: Examples,
  settings: TrainingSettings,
  prng: Prng,
): { update: Float64Array; weight: number } {
  const p = Float64Array.from(global);
  const grad = new Float64Array(p.length);
  const scratch = scratchFor(shape);
  const n = data.x.length;
  for (let epoch = 0; epoch < settings.localEpochs; epoch++) {
    const order = prng.permutation(n);
    for (let start = 0; start < n; start += settings.batchSize) {
      const end = Math.min(n, start + settings.batchSize);
      grad.fill(0);
      for (let k = start; k < end; k++) {
        const i = order[k]!;
        addGradient(shape, p, data.x[i]!, data.y[i]!, grad, scratch);
      }
      const step = settings.learningRate / (end - start);
      for (let j = 0; j < p.length; j++) p[j] = p[j]! - step * grad[j]!;
    }
  }
  const update = new Float64Array(p.length);
  for (let j = 0; j < p.length; j++) update[j] = p[j]! - global[j]!;
  return { update, weight: n };
}
