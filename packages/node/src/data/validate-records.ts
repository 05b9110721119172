/**
 * Checks records against the canonical attributes of a Vault's domain before anything is stored.
 * Problems name the record index, the field and the reason, never the value.
 */
import type { RecordInput } from '@symphony/api';
import type { AttributeDefinition, SemanticDomain } from '@symphony/protocol';
import { parseDecimal } from '../execution/decimal.ts';

export type RecordProblem = { index: number; field: string; reason: string };

function valueProblem(def: AttributeDefinition, value: unknown): string | undefined {
  if (value === null) return undefined;
  switch (def.type) {
    case 'string':
    case 'category':
      return typeof value === 'string' ? undefined : 'expected a string';
    case 'decimal':
      return typeof value === 'string' && parseDecimal(value) !== undefined
        ? undefined
        : 'expected a decimal string such as "12.50"';
    case 'integer':
      return Number.isSafeInteger(value) ? undefined : 'expected an integer';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'expected a boolean';
    case 'timestamp':
      return typeof value === 'string' &&
        /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(value) &&
        Number.isFinite(Date.parse(value))
        ? undefined
        : 'expected an ISO 8601 UTC timestamp such as "2026-11-01T09:30:00Z"';
  }
}

/** The first problem of a batch, or undefined when every record fits the domain. */
export function firstRecordProblem(domain: SemanticDomain, records: readonly RecordInput[]): RecordProblem | undefined {
  const defs = new Map(domain.attributes.map((a) => [a.name, a]));
  for (const [index, r] of records.entries()) {
    for (const [field, value] of Object.entries(r.fields)) {
      const def = defs.get(field);
      if (!def) return { index, field, reason: `not an attribute of ${domain.domain}@${domain.semantic_version}` };
      const problem = valueProblem(def, value);
      if (problem) return { index, field, reason: problem };
    }
  }
  return undefined;
}
