/**
 * Semantic resolution: binds a task's canonical attributes to each target Vault's fields under the
 * pinned `semantic_version`, through the Vault mapping in force when the task was admitted. Pure
 * over the folded state and the admission position, so the admitting master, the dispatching
 * master and the verifier derive the same artifact and the same hash, today and after any later
 * publication: a pinned task resolves identically forever.
 */
import {
  admissionOf,
  attestationHash,
  DomainTags,
  domainHash,
  majorOf,
  mappingInForce,
  type ProtocolState,
  type TaskEnvelope,
} from '@symphony/protocol';
import type { Resolution } from '../wire/enterprise-rpc.ts';

export type ResolutionOutcome =
  | { ok: true; resolution: Resolution; hash: string; node_id: string }
  | { ok: false; reason_code: ResolutionFailure; message: string };

export type ResolutionFailure =
  | 'unknown_semantic_version'
  | 'unknown_attribute'
  | 'attribute_not_declared'
  | 'unknown_vault'
  | 'vaults_on_several_nodes'
  | 'incompatible_semantic_version'
  | 'attribute_not_mapped';

const fail = (reason_code: ResolutionFailure, message: string): ResolutionOutcome => ({
  ok: false,
  reason_code,
  message,
});

/**
 * Resolves a task. `at_seq` is its admission position (read from the state once the task is
 * admitted; before that, the position its admission entry will take). A Vault that declared no
 * mapping for the domain serves each attribute from the field of the same name.
 */
export function resolveTask(state: ProtocolState, envelope: TaskEnvelope, at_seq?: number): ResolutionOutcome {
  const { domain: name, semantic_version: version, attributes } = envelope.semantic;
  const at = at_seq ?? admissionOf(state, envelope.task_id)?.seq ?? (state.head?.seq ?? -1) + 1;
  const domain = state.semantic_domains[`${name}@${version}`];
  if (!domain) return fail('unknown_semantic_version', `${name}@${version} is not published`);
  const known = new Set(domain.attributes.map((a) => a.name));
  const unknown = attributes.filter((a) => !known.has(a));
  if (unknown.length > 0) return fail('unknown_attribute', `not in ${name}@${version}: ${unknown.join(', ')}`);
  const spec = envelope.spec;
  const used = new Set<string>();
  if (spec.kind === 'compute') {
    for (const c of spec.filter) used.add(c.attribute);
    if (spec.program.type === 'builtin' && spec.program.attribute) used.add(spec.program.attribute);
  }
  if (spec.kind === 'train') {
    for (const c of spec.filter) used.add(c.attribute);
    for (const f of spec.features) used.add(f);
    used.add(spec.label);
  }
  const undeclared = [...used].filter((a) => !attributes.includes(a));
  if (undeclared.length > 0)
    return fail('attribute_not_declared', `the spec uses undeclared attributes: ${undeclared.join(', ')}`);
  const nodes = new Set(envelope.targets.vault_ids.map((v) => state.vaults[v]?.node_id));
  if (nodes.has(undefined)) return fail('unknown_vault', 'a target Vault is not registered');
  if (spec.kind === 'compute' && nodes.size > 1)
    return fail('vaults_on_several_nodes', 'a compute task reads Vaults of one enterprise node');
  const bindings: Resolution['bindings'] = [];
  for (const vault_id of envelope.targets.vault_ids) {
    const mapping = mappingInForce(state, vault_id, name, at);
    if (!mapping) {
      bindings.push({ vault_id, attributes: attributes.map((attribute) => ({ attribute, derivation: attribute })) });
      continue;
    }
    if (majorOf(mapping.semantic_version) !== majorOf(version))
      return fail(
        'incompatible_semantic_version',
        `${vault_id} maps ${name}@${mapping.semantic_version}, which is not compatible with ${version}`,
      );
    const rules = new Map(mapping.fields.map((f) => [f.attribute, f.derivation]));
    const unmapped = attributes.filter((a) => !rules.has(a));
    if (unmapped.length > 0) return fail('attribute_not_mapped', `${vault_id} does not map ${unmapped.join(', ')}`);
    bindings.push({
      vault_id,
      mapping_hash: attestationHash('vault_mapping', mapping),
      attributes: attributes.map((attribute) => ({ attribute, derivation: rules.get(attribute)! })),
    });
  }
  const resolution: Resolution = { task_id: envelope.task_id, domain: name, semantic_version: version, bindings };
  return {
    ok: true,
    resolution,
    hash: domainHash(DomainTags.resolution, resolution),
    node_id: [...nodes][0] as string,
  };
}
