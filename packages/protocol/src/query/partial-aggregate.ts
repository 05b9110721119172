/**
 * The shape of a per-Vault partial aggregate (computed inside a Vault's enclave, sent encrypted to
 * the aggregation enclave, never stored or returned) and how partials combine: per group, per
 * subject pseudonym, the record count and the raw totals of the summed attributes in fixed point.
 * A subject present in several Vaults carries one pseudonym everywhere, so it is merged, not
 * counted twice.
 */

export type PartialGroup = {
  /** The group-by values, in `group_by` order. */
  key: (string | number | boolean | null)[];
  /** [pseudonym, records, ...totals per `plan.summed` attribute] */
  subjects: [string, number, ...number[]][];
};

export type PartialAggregate = { vault_id: string; groups: PartialGroup[] };

/** A combined group: its key, and per pseudonym the totals per summed attribute. */
export type CombinedGroup = { key: PartialGroup['key']; subjects: Map<string, number[]> };

/** The canonical text of a group key (its order is the contribution-bounding order). */
export const groupKeyText = (key: PartialGroup['key']) => JSON.stringify(key);

/** Merges partials by group and pseudonym. */
export function combinePartials(partials: readonly PartialAggregate[], summed: number): Map<string, CombinedGroup> {
  const groups = new Map<string, CombinedGroup>();
  for (const partial of partials) {
    for (const g of partial.groups) {
      const text = groupKeyText(g.key);
      let c = groups.get(text);
      if (!c) {
        c = { key: g.key, subjects: new Map() };
        groups.set(text, c);
      }
      for (const [pseudonym, , ...totals] of g.subjects) {
        const prior = c.subjects.get(pseudonym);
        if (!prior)
          c.subjects.set(
            pseudonym,
            totals.slice(0, summed).map((x) => x ?? 0),
          );
        else for (let i = 0; i < summed; i++) prior[i]! += totals[i] ?? 0;
      }
    }
  }
  return groups;
}
