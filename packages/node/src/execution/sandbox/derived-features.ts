/**
 * Derived per-subject features: a program that declares `derives` returns
 * `{ release, derived: [{ subject, features }] }`. The features stay in the Vault (written back as
 * sealed records linked to the task, see `execute-task.ts`); only `release` goes through the
 * release policy and out, with the count of records written. This module checks the shape and
 * builds the records; anything off is `derived_invalid`, and nothing is written.
 */
import { sha256Hex } from '@symphony/protocol';
import type { Row } from '../builtin-operators.ts';
import { SandboxRejected } from './sandbox-rejection.ts';

/** Longest string a derived feature may hold (features are scores, tiers, flags, not documents). */
export const MAX_FEATURE_STRING = 256;

export type DerivedFeatures = { subject: string; features: Record<string, string | number | boolean | null> };

const invalid = (why: string) => new SandboxRejected('derived_invalid', why);
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Splits a deriving program's output into what is released and the features that stay. */
export function splitDerived(
  output: unknown,
  derives: readonly string[],
  rows: readonly Row[],
): { release: unknown; derived: DerivedFeatures[] } {
  if (!isPlainObject(output) || !('release' in output) || !Array.isArray(output.derived))
    throw invalid('expected { release, derived: [...] }');
  if (Object.keys(output).some((k) => k !== 'release' && k !== 'derived'))
    throw invalid('only release and derived may be returned');
  const subjects = new Set(rows.map((r) => r.subject));
  const seen = new Set<string>();
  const allowed = new Set(derives);
  const derived: DerivedFeatures[] = [];
  for (const [i, entry] of output.derived.entries()) {
    if (!isPlainObject(entry) || typeof entry.subject !== 'string' || !isPlainObject(entry.features))
      throw invalid(`derived[${i}] is not { subject, features }`);
    if (!subjects.has(entry.subject)) throw invalid(`derived[${i}] names a subject that is not an input row's`);
    if (seen.has(entry.subject)) throw invalid(`derived[${i}] names a subject twice`);
    seen.add(entry.subject);
    const features: DerivedFeatures['features'] = {};
    for (const [name, value] of Object.entries(entry.features)) {
      if (!allowed.has(name)) throw invalid(`derived[${i}].features.${name} is not declared in derives`);
      const ok =
        value === null ||
        typeof value === 'boolean' ||
        (typeof value === 'number' && Number.isSafeInteger(value)) ||
        (typeof value === 'string' && value.length <= MAX_FEATURE_STRING);
      if (!ok) throw invalid(`derived[${i}].features.${name} is not a short scalar (decimals travel as strings)`);
      features[name] = value as DerivedFeatures['features'][string];
    }
    if (Object.keys(features).length === 0) throw invalid(`derived[${i}] has no features`);
    derived.push({ subject: entry.subject, features });
  }
  return { release: output.release, derived };
}

/** The record id of a subject's derived features from one task in one Vault (same task, same id: written once). */
export function derivedRecordId(task_id: string, vault_id: string, subject: string): string {
  return `rec_drv-${sha256Hex(new TextEncoder().encode(`${task_id}\n${vault_id}\n${subject}`)).slice(0, 40)}`;
}
