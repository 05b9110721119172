/**
 * The release policy of a sandboxed program's output: no raw record may leave the Vault. A Compute
 * output is a per-task aggregate; it is refused when it
 *  - carries any input row's subject identifier (as a key or a string value, anywhere), or
 *  - carries, inside one object or array, every attribute value of an input row that has at least
 *    two non-null attributes (a raw row with or without its subject, keys renamed or not), or
 *  - has more leaf values than `OUTPUT_LEAF_ALLOWANCE + floor(subjects / k_min)` (the
 *    row-per-subject ratio: beyond a fixed summary allowance, every released value must rest on at
 *    least `k_min` distinct subjects on average).
 * These checks are defence in depth: the primary gate is that the Vault's policy approved the
 * program's code hash. They cannot see through arbitrary encodings of a row (a program that
 * encodes values could still leak them), which is why approval is required before a program runs.
 */
import type { ExecutionRejectionReason } from '@symphony/protocol';
import type { Row } from '../builtin-operators.ts';

/** Leaf values any output may carry regardless of its subject count (summary fields). */
export const OUTPUT_LEAF_ALLOWANCE = 32;

/** A comparable form of a scalar, so `12.50`, `"12.50"` and `12.5` compare equal. */
function norm(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'number') return `n:${v}`;
  if (typeof v === 'boolean') return `b:${v}`;
  if (typeof v === 'string') {
    if (/^-?\d+(\.\d+)?$/.test(v)) return `n:${Number(v)}`;
    return `s:${v}`;
  }
  return undefined;
}

/** The first reason `output` may not be released, or undefined when it may. */
export function outputViolation(
  output: unknown,
  rows: readonly Row[],
  kMin: number,
): ExecutionRejectionReason | undefined {
  const subjects = new Set(rows.map((r) => r.subject));
  // Index each row with >= 2 non-null attributes under one of its values (the rarest is not needed:
  // any value works, candidates are confirmed by a full containment check).
  const rowsByValue = new Map<string, string[][]>();
  for (const r of rows) {
    const values = Object.values(r.fields)
      .map(norm)
      .filter((x): x is string => x !== undefined);
    if (values.length < 2) continue;
    const list = rowsByValue.get(values[0]!) ?? [];
    list.push(values);
    rowsByValue.set(values[0]!, list);
  }
  let leaves = 0;
  let violation: ExecutionRejectionReason | undefined;
  const visit = (node: unknown): void => {
    if (violation) return;
    if (node === null || typeof node !== 'object') {
      leaves++;
      if (typeof node === 'string' && subjects.has(node)) violation = 'output_contains_subject';
      return;
    }
    const entries = Array.isArray(node) ? node.map((v) => [undefined, v] as const) : Object.entries(node);
    const here = new Set<string>();
    for (const [key, value] of entries) {
      if (key !== undefined && subjects.has(key)) {
        violation = 'output_contains_subject';
        return;
      }
      const n = norm(value);
      if (n !== undefined) here.add(n);
    }
    for (const n of here) {
      for (const candidate of rowsByValue.get(n) ?? []) {
        if (candidate.every((v) => here.has(v))) {
          violation = 'output_contains_record';
          return;
        }
      }
    }
    for (const [, value] of entries) visit(value);
  };
  visit(output);
  if (violation) return violation;
  if (leaves > OUTPUT_LEAF_ALLOWANCE + Math.floor(subjects.size / Math.max(1, kMin))) return 'output_too_granular';
  return undefined;
}
