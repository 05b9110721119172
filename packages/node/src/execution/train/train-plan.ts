/**
 * What a Train spec fixes for execution: the model shape, the training settings, the seed, and
 * the aggregation settings of a round. Decimal hyperparameters are parsed once, here.
 */
import type { TrainSpec } from '@symphony/protocol';
import type { AggregationSettings } from './fedavg.ts';
import type { TrainingSettings } from './local-training.ts';
import type { ModelShape } from './models.ts';

/** Hidden units of an MLP whose spec does not name them. */
export const DEFAULT_HIDDEN_UNITS = 8;

export type TrainPlan = {
  shape: ModelShape;
  training: TrainingSettings;
  rounds: number;
  quorum: number;
  seed: string;
  clip?: number;
  dp?: { noiseMultiplier: number; delta: number };
  holdoutBps: number;
};

/** Raised for a spec that cannot run (reported as a failed receipt with its code). */
export class TrainSpecInvalid extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The plan of a Train spec; `replaySeed` is used when the spec names no seed. */
export function planOf(spec: TrainSpec, replaySeed: string): TrainPlan {
  const h = spec.hyperparameters;
  const learningRate = Number(h.learning_rate);
  if (!(learningRate > 0)) throw new TrainSpecInvalid('invalid_learning_rate', 'learning_rate must be positive');
  const clip = h.clip_norm !== undefined ? Number(h.clip_norm) : undefined;
  if (clip !== undefined && !(clip > 0)) throw new TrainSpecInvalid('invalid_clip_norm', 'clip_norm must be positive');
  let dp: TrainPlan['dp'];
  if (spec.dp) {
    if (clip === undefined) throw new TrainSpecInvalid('dp_needs_clip_norm', 'DP training needs clip_norm');
    const noiseMultiplier = Number(spec.dp.noise_multiplier);
    const delta = Number(spec.dp.delta);
    if (!(noiseMultiplier > 0))
      throw new TrainSpecInvalid('invalid_noise_multiplier', 'noise_multiplier must be positive');
    if (!(delta > 0 && delta < 1)) throw new TrainSpecInvalid('invalid_delta', 'delta must be in (0, 1)');
    dp = { noiseMultiplier, delta };
  }
  return {
    shape: {
      kind: spec.model,
      inputs: spec.features.length,
      hidden: spec.model === 'mlp' ? (h.hidden_units ?? DEFAULT_HIDDEN_UNITS) : 0,
    },
    training: { localEpochs: h.local_epochs, learningRate, batchSize: h.batch_size },
    rounds: h.rounds,
    quorum: spec.min_vaults_per_round,
    seed: spec.seed ?? replaySeed,
    ...(clip !== undefined ? { clip } : {}),
    ...(dp ? { dp } : {}),
    holdoutBps: spec.evaluation?.holdout_bps ?? 0,
  };
}

/** The aggregation settings of round `round`; `noiseSeed` is the enclaves' secret DP noise seed. */
export const aggregationOf = (plan: TrainPlan, round: number, noiseSeed?: string): AggregationSettings => ({
  round,
  ...(noiseSeed !== undefined ? { noiseSeed } : {}),
  ...(plan.clip !== undefined ? { clip: plan.clip } : {}),
  ...(plan.dp ? { dp: { noiseMultiplier: plan.dp.noiseMultiplier } } : {}),
});
