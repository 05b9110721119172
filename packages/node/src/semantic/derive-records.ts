/**
 * Applies a Vault mapping to records as they arrive: the canonical attributes each record derives
 * through the mapping's rules, so ingestion can check them against the domain before storing the
 * local fields. Deterministic: the same record and mapping give the same derived fields.
 */
import type { RecordInput } from '@symphony/api';
import { evaluateDerivation, parseDerivation, type VaultMapping } from '@symphony/protocol';

/** The records with their local fields replaced by the canonical attributes they derive (nulls dropped). */
export function derivedRecords(mapping: VaultMapping, records: readonly RecordInput[]): RecordInput[] {
  const rules = mapping.fields.flatMap((f) => {
    const parsed = parseDerivation(f.derivation);
    return parsed.ok ? [[f.attribute, parsed.rule] as const] : [];
  });
  return records.map((r) => {
    const fields: Record<string, string | number | boolean> = {};
    for (const [attribute, rule] of rules) {
      const value = evaluateDerivation(rule, r.fields);
      if (value !== null) fields[attribute] = value;
    }
    return { ...r, fields } as RecordInput;
  });
}
