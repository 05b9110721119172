/** Vault mappings and candidate attributes as the folded state holds them. */
import { canonicalString } from '../encoding/canonical.ts';
import { domainHash } from '../hashing/domain-hash.ts';
import type { AttributeDefinition, SemanticDomain } from '../objects/semantic-domain.ts';
import type { VaultMapping } from '../objects/semantic-governance.ts';
import type { ProtocolState } from '../reducer/state.ts';
import { parseDerivation } from './derivation.ts';

/** The mapping of `vault_id` for `domain` in force at log position `at_seq` (declared before it). */
export function mappingInForce(
  state: ProtocolState,
  vault_id: string,
  domain: string,
  at_seq: number,
): VaultMapping | undefined {
  let found: VaultMapping | undefined;
  for (const m of state.vault_mappings?.[vault_id] ?? []) {
    if (m.seq >= at_seq) break;
    if (m.mapping.domain === domain) found = m.mapping;
  }
  return found;
}

/** Problems of a mapping against the domain definition it names. */
export function mappingProblems(mapping: Pick<VaultMapping, 'fields'>, domain: SemanticDomain): string[] {
  const known = new Set(domain.attributes.map((a) => a.name));
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const f of mapping.fields) {
    if (!known.has(f.attribute))
      problems.push(`${f.attribute} is not an attribute of ${domain.domain}@${domain.semantic_version}`);
    if (seen.has(f.attribute)) problems.push(`${f.attribute} is mapped twice`);
    seen.add(f.attribute);
    const parsed = parseDerivation(f.derivation);
    if (!parsed.ok) problems.push(`${f.attribute}: ${parsed.error}`);
  }
  return problems;
}

/** The key of a candidate in `state.semantic_candidates`: one per epoch, domain and exact definition. */
export function candidateKey(epoch_id: number, domain: string, attribute: AttributeDefinition): string {
  return `${epoch_id}|${domain}|${attribute.name}|${domainHash('scp/v1/semantic-candidate-definition', attribute).slice(0, 16)}`;
}

/** Same definition, byte for byte. */
export const sameDefinition = (a: AttributeDefinition, b: AttributeDefinition) =>
  canonicalString(a) === canonicalString(b);

/** The major component of a semantic version. */
export const majorOf = (version: string) => version.split('.')[0] ?? '';
