/**
 * From materialized rows to training examples, inside a Vault's enclave: the task's filter, the
 * declared feature attributes as numbers, the label as 0/1, and a held-out split by subject (a
 * subject's records are all in training or all held out, decided by a keyed hash of the subject
 * under the training seed). Rows are put in a canonical order first (by the hash of their
 * canonical form), so the order records were ingested in never changes a bit of the result.
 */
import { canonicalString, sha256Hex, type TrainSpec } from '@symphony/protocol';
import { matches, type Row } from '../builtin-operators.ts';

/** Examples of one split: feature rows, labels and each example's subject. */
export type Examples = { x: Float64Array[]; y: Uint8Array; subjects: string[] };

/** Both splits of one Vault, and how many rows had no usable features or label. */
export type VaultExamples = { train: Examples; holdout: Examples; skipped: number };

function featureValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'string' || !/^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(value)) return undefined;
  return Number(value);
}

function labelValue(value: unknown, positive: TrainSpec['positive_class']): 0 | 1 | undefined {
  if (value === undefined || value === null) return undefined;
  if (positive !== undefined) return String(value) === String(positive) ? 1 : 0;
  if (value === true || value === 1 || value === '1') return 1;
  if (value === false || value === 0 || value === '0') return 0;
  return undefined;
}

/** Whether a subject is held out, under the training seed (basis points of subjects). */
export function isHeldOut(seed: string, subject: string, holdout_bps: number): boolean {
  if (holdout_bps <= 0) return false;
  const h = sha256Hex(new TextEncoder().encode(`scp/v1/train-holdout/${seed}/${subject}`));
  return Number.parseInt(h.slice(0, 8), 16) % 10_000 < holdout_bps;
}

/** Splits and encodes one Vault's rows. */
export function examplesOf(rows: readonly Row[], spec: TrainSpec, seed: string, referenceMs: number): VaultExamples {
  const used = [...new Set([...spec.features, spec.label, ...spec.filter.map((c) => c.attribute)])].sort();
  const keyOf = (r: Row) => canonicalString({ s: r.subject, f: used.map((a) => r.fields[a] ?? null) });
  const ordered = rows
    .map((r) => ({ r, key: sha256Hex(new TextEncoder().encode(keyOf(r))) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const train: Examples = { x: [], y: new Uint8Array(0), subjects: [] };
  const holdout: Examples = { x: [], y: new Uint8Array(0), subjects: [] };
  const ys: [number[], number[]] = [[], []];
  let skipped = 0;
  const holdoutBps = spec.evaluation?.holdout_bps ?? 0;
  for (const { r } of ordered) {
    if (!spec.filter.every((c) => matches(r, c, referenceMs))) continue;
    const y = labelValue(r.fields[spec.label], spec.positive_class);
    const x = new Float64Array(spec.features.length);
    let ok = y !== undefined;
    for (let i = 0; ok && i < spec.features.length; i++) {
      const v = featureValue(r.fields[spec.features[i]!]);
      if (v === undefined) ok = false;
      else x[i] = v;
    }
    if (!ok) {
      skipped++;
      continue;
    }
    const held = isHeldOut(seed, r.subject, holdoutBps);
    const into = held ? holdout : train;
    into.x.push(x);
    into.subjects.push(r.subject);
    ys[held ? 1 : 0].push(y!);
  }
  train.y = Uint8Array.from(ys[0]);
  holdout.y = Uint8Array.from(ys[1]);
  return { train, holdout, skipped };
}
