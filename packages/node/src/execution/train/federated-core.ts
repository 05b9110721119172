/**
 * The steps of federated training as pure functions, shared by the enclaves (each step runs in the
 * enclave that owns its data) and by the in-memory runs beside them (pooled training on the union,
 * local-only training, the benchmark's baseline): the same code, so the comparison is fair and a
 * network run can be checked bit for bit against an in-memory one.
 */

import type { TrainSpec } from '@symphony/protocol';
import type { Row } from '../builtin-operators.ts';
import { evaluateLocally, type ReleasedEvaluation, releaseEvaluation } from './evaluation.ts';
import { examplesOf, type VaultExamples } from './examples.ts';
import { aggregate } from './fedavg.ts';
import { trainLocally } from './local-training.ts';
import { hashOfParameters } from './model-codec.ts';
import { initialParameters } from './models.ts';
import { Prng } from './prng.ts';
import {
  localStats,
  pooledStandardization,
  type Standardization,
  standardizationHash,
  standardize,
} from './standardization.ts';
import { aggregationOf, type TrainPlan } from './train-plan.ts';

/** The initial global model of a plan. */
export const initialModel = (plan: TrainPlan) => initialParameters(plan.shape, new Prng(plan.seed, 'init'));

/** One Vault's local round: its update from `global` over its standardized training split. */
export function localRound(
  plan: TrainPlan,
  vault_id: string,
  round: number,
  global: Float64Array,
  data: VaultExamples,
  s: Standardization,
) {
  return trainLocally(
    plan.shape,
    global,
    standardize(data.train, s),
    plan.training,
    new Prng(plan.seed, `local/${vault_id}/round-${round}`),
  );
}

/** One Vault's held-out counts for a model. */
export const localEvaluation = (plan: TrainPlan, p: Float64Array, data: VaultExamples, s: Standardization) =>
  evaluateLocally(plan.shape, p, standardize(data.holdout, s), plan.seed);

export type InMemoryRun = {
  model: Float64Array;
  model_hash: string;
  standardization: Standardization;
  standardization_hash: string;
  round_hashes: string[];
  /** Per round, each Vault's update (only in memory: for tests that look for them elsewhere). */
  updates: Map<string, Float64Array>[];
  evaluation: ReleasedEvaluation;
};

/**
 * Federated training over in-memory Vaults (every Vault takes part in every round); a DP plan
 * needs the secret noise seed the enclaves would derive (`loadNoiseSeeder`).
 */
export function runInMemory(
  plan: TrainPlan,
  vaults: { vault_id: string; data: VaultExamples }[],
  kMin: number,
  noiseSeed?: string,
): InMemoryRun {
  const ordered = [...vaults].sort((a, b) => (a.vault_id < b.vault_id ? -1 : 1));
  const s = pooledStandardization(
    ordered.map((v) => localStats(v.data.train, plan.shape.inputs)),
    plan.shape.inputs,
  );
  if (!s) throw new Error('no training example');
  let model = initialModel(plan);
  const round_hashes: string[] = [];
  const updates: Map<string, Float64Array>[] = [];
  for (let round = 1; round <= plan.rounds; round++) {
    const parts = ordered.map((v) => ({
      vault_id: v.vault_id,
      ...localRound(plan, v.vault_id, round, model, v.data, s),
    }));
    updates.push(new Map(parts.map((p) => [p.vault_id, p.update])));
    model = aggregate(model, parts, aggregationOf(plan, round, noiseSeed));
    round_hashes.push(hashOfParameters(model));
  }
  const evaluation = releaseEvaluation(
    ordered.map((v) => localEvaluation(plan, model, v.data, s)),
    kMin,
  );
  return {
    model,
    model_hash: hashOfParameters(model),
    standardization: s,
    standardization_hash: standardizationHash(s),
    round_hashes,
    updates,
    evaluation,
  };
}

/** Encodes rows of in-memory Vaults as the enclaves do. */
export const vaultExamples = (rows: readonly Row[], spec: TrainSpec, plan: TrainPlan, referenceMs: number) =>
  examplesOf(rows, spec, plan.seed, referenceMs);
