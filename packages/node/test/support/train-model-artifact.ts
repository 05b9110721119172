/** Reads a released Train model artifact and scores it on records, as a submitter would. */
import type { RecordInput } from '@symphony/api';
import type { TrainSpec } from '@symphony/protocol';
import { examplesOf } from '../../src/execution/train/examples.ts';
import { decodeFloats, fromBase64, hashOfParameters } from '../../src/execution/train/model-codec.ts';
import { type ModelShape, predict, scratchFor } from '../../src/execution/train/models.ts';

export type ModelArtifact = {
  model: { kind: ModelShape['kind']; inputs: number; hidden: number; parameters: string; model_hash: string };
  standardization: { mean: string; std: string };
};

/** The artifact's parameters, checked against the hash it names. */
export function parametersOf(a: ModelArtifact): Float64Array {
  const p = decodeFloats(fromBase64(a.model.parameters));
  if (hashOfParameters(p) !== a.model.model_hash) throw new Error('the artifact does not match its model hash');
  return p;
}

/** Accuracy of the artifact on records (every record scored; none held out). */
export function accuracyOf(a: ModelArtifact, spec: TrainSpec, records: RecordInput[]): number {
  const shape: ModelShape = { kind: a.model.kind, inputs: a.model.inputs, hidden: a.model.hidden };
  const p = parametersOf(a);
  const mean = decodeFloats(fromBase64(a.standardization.mean));
  const std = decodeFloats(fromBase64(a.standardization.std));
  const { evaluation: _e, ...whole } = spec;
  const ex = examplesOf(
    records.map((r) => ({ subject: r.subject, fields: r.fields })),
    whole,
    'f'.repeat(64),
    0,
  ).train;
  const scratch = scratchFor(shape);
  let correct = 0;
  ex.x.forEach((x, i) => {
    const z = new Float64Array(x.length);
    for (let j = 0; j < x.length; j++) z[j] = (x[j]! - mean[j]!) / std[j]!;
    if ((predict(shape, p, z, scratch) >= 0.5 ? 1 : 0) === ex.y[i]) correct++;
  });
  return correct / ex.x.length;
}
