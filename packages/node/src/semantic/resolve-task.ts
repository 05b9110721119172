/**
 * Semantic resolution: binds a task's canonical attributes to each target Vault's fields under the
 * pinned `semantic_version`. Pure over the folded state, so the dispatching master and the
 * verifier derive the same artifact and the same hash; the hash goes into the log.
 */
import { DomainTags, domainHash, type ProtocolState, type TaskEnvelope } from '@symphony/protocol';
import type { Resolution } from '../wire/enterprise-rpc.ts';

export type ResolutionOutcome =
  | { ok: true; resolution: Resolution; hash: string; node_id: string }
  | { ok: false; reason_code: string };

/** Resolves a task; Vaults map canonical attributes one to one (a field per attribute of the same name). */
export function resolveTask(state: ProtocolState, envelope: TaskEnvelope): ResolutionOutcome {
  const domain = state.semantic_domains[`${envelope.semantic.domain}@${envelope.semantic.semantic_version}`];
  if (!domain) return { ok: false, reason_code: 'unknown_semantic_version' };
  const known = new Set(domain.attributes.map((a) => a.name));
  if (envelope.semantic.attributes.some((a) => !known.has(a))) return { ok: false, reason_code: 'unknown_attribute' };
  const spec = envelope.spec;
  const used = new Set<string>();
  if (spec.kind === 'compute') {
    for (const c of spec.filter) used.add(c.attribute);
    if (spec.program.type === 'builtin' && spec.program.attribute) used.add(spec.program.attribute);
  }
  if ([...used].some((a) => !envelope.semantic.attributes.includes(a)))
    return { ok: false, reason_code: 'attribute_not_declared' };
  const nodes = new Set(envelope.targets.vault_ids.map((v) => state.vaults[v]?.node_id));
  if (nodes.has(undefined)) return { ok: false, reason_code: 'unknown_vault' };
  if (spec.kind === 'compute' && nodes.size > 1) return { ok: false, reason_code: 'vaults_on_several_nodes' };
  const resolution: Resolution = {
    task_id: envelope.task_id,
    domain: envelope.semantic.domain,
    semantic_version: envelope.semantic.semantic_version,
    bindings: envelope.targets.vault_ids.map((vault_id) => ({
      vault_id,
      attributes: envelope.semantic.attributes.map((attribute) => ({ attribute, field: attribute })),
    })),
  };
  return {
    ok: true,
    resolution,
    hash: domainHash(DomainTags.resolution, resolution),
    node_id: [...nodes][0] as string,
  };
}
