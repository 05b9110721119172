/**
 * Held-out evaluation inside a Vault's enclave (counts only), and its release by the aggregation
 * enclave: the pooled accuracy, released only when the held-out examples belong to at least k_min
 * distinct subjects (counted across Vaults from keyed subject hashes that never leave the enclaves).
 */
import { sha256Hex } from '@symphony/protocol';
import { formatDecimal } from '../decimal.ts';
import type { Examples } from './examples.ts';
import { type ModelShape, predict, scratchFor } from './models.ts';

/** One Vault's evaluation counts (sent encrypted to the aggregation enclave). */
export type LocalEvaluation = { correct: number; examples: number; subject_keys: string[] };

/** A subject's key for distinct counting across Vaults: a hash under the training seed. */
export const subjectKey = (seed: string, subject: string) =>
  sha256Hex(new TextEncoder().encode(`scp/v1/train-subject/${seed}/${subject}`));

export function evaluateLocally(shape: ModelShape, p: Float64Array, data: Examples, seed: string): LocalEvaluation {
  const scratch = scratchFor(shape);
  let correct = 0;
  for (let i = 0; i < data.x.length; i++) {
    const yhat = predict(shape, p, data.x[i]!, scratch) >= 0.5 ? 1 : 0;
    if (yhat === data.y[i]) correct++;
  }
  return {
    correct,
    examples: data.x.length,
    subject_keys: [...new Set(data.subjects.map((s) => subjectKey(seed, s)))].sort(),
  };
}

/** The released evaluation: accuracy (6 decimals, rounded down) or suppressed below k_min subjects. */
export type ReleasedEvaluation =
  | { metric: 'accuracy'; value: string; examples: number; subjects: number }
  | { metric: 'accuracy'; suppressed: true };

export function releaseEvaluation(parts: readonly LocalEvaluation[], kMin: number): ReleasedEvaluation {
  let correct = 0;
  let examples = 0;
  const subjects = new Set<string>();
  for (const p of parts) {
    correct += p.correct;
    examples += p.examples;
    for (const k of p.subject_keys) subjects.add(k);
  }
  if (examples === 0 || subjects.size < kMin) return { metric: 'accuracy', suppressed: true };
  const value = formatDecimal((BigInt(correct) * 1_000_000n) / BigInt(examples));
  return { metric: 'accuracy', value, examples, subjects: subjects.size };
}
