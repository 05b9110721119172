/**
 * The differencing and tracker defence: a release is refused when one of its group's subject sets
 * differs from a set released earlier to the same submitter group (within the policy window) by at
 * least one and fewer than `k_min` subjects, since subtracting the two results would isolate those
 * few subjects. Identical sets (a repeated query) pass: repetition is what the budget pays for.
 */

/** An earlier release as the ledger keeps it. */
export type ReleaseHistoryEntry = {
  task_id: string;
  submitter_group: string;
  epoch_id: number;
  /** Sorted pseudonyms, one list per released group. */
  sets: string[][];
};

export type DifferencingOutcome =
  | { ok: true }
  | { ok: false; code: 'differencing_suspected'; earlier_task_id: string; difference: number };

/** |a Δ b| for sorted lists, stopping once it reaches `cap`. */
export function symmetricDifference(
  a: readonly string[],
  b: readonly string[],
  cap = Number.POSITIVE_INFINITY,
): number {
  let i = 0;
  let j = 0;
  let d = 0;
  while ((i < a.length || j < b.length) && d < cap) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) {
      d++;
      i++;
    } else if (i >= a.length || b[j]! < a[i]!) {
      d++;
      j++;
    } else {
      i++;
      j++;
    }
  }
  return d;
}

export function checkDifferencing(
  history: readonly ReleaseHistoryEntry[],
  candidate: { submitter_group: string; epoch_id: number; sets: readonly string[][] },
  k_min: number,
  window_epochs: number,
): DifferencingOutcome {
  for (const earlier of history) {
    if (earlier.submitter_group !== candidate.submitter_group) continue;
    if (candidate.epoch_id - earlier.epoch_id >= window_epochs) continue;
    for (const s of candidate.sets) {
      for (const t of earlier.sets) {
        // Sizes alone bound the difference from below: skip pairs that cannot be close.
        if (Math.abs(s.length - t.length) >= k_min) continue;
        const d = symmetricDifference(s, t, k_min);
        if (d > 0 && d < k_min)
          return { ok: false, code: 'differencing_suspected', earlier_task_id: earlier.task_id, difference: d };
      }
    }
  }
  return { ok: true };
}

/** The submitter group of an actor under a policy (the actor itself unless grouped). */
export const submitterGroupOf = (groups: Readonly<Record<string, string>>, actor: string) => groups[actor] ?? actor;
