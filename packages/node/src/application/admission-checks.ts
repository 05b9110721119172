/**
 * Admission checks of consent and semantics: before a task enters the log, its pinned semantic
 * version must resolve against every target Vault's mapping, and every target Vault must hold at
 * least one live consent to the task's usage scope. The resolution's hash is bound into the
 * envelope, so the artifact the task runs under is fixed at admission.
 */
import { type ProtocolState, planQuery, queryPolicyOf, scopeStanding, type TaskEnvelope } from '@symphony/protocol';
import { resolveTask } from '../semantic/resolve-task.ts';
import { ApiFailure } from './master-api.ts';

/** Resolution failures that are the submitter's to fix, answered 4xx before anything is appended. */
const SEMANTIC_DENIALS = new Set([
  'unknown_semantic_version',
  'unknown_attribute',
  'incompatible_semantic_version',
  'attribute_not_mapped',
] as const);

/** The envelope with its resolution hash, or an `ApiFailure` naming why the task is not admissible. */
export function bindAdmission(state: ProtocolState, envelope: TaskEnvelope): TaskEnvelope {
  const at = { seq: (state.head?.seq ?? -1) + 1, time_ms: envelope.admitted_at_ms };
  const resolved = resolveTask(state, envelope, at.seq);
  if (!resolved.ok && SEMANTIC_DENIALS.has(resolved.reason_code as never)) {
    throw new ApiFailure(resolved.reason_code as 'unknown_semantic_version', resolved.message, {
      domain: envelope.semantic.domain,
      semantic_version: envelope.semantic.semantic_version,
    });
  }
  if (envelope.spec.kind === 'query') {
    // The query plan every Vault will compute: a spec it refuses is the submitter's to fix.
    const params = state.parameter_history.find((p) => p.policy_version === envelope.policy_version);
    const planned = params ? planQuery(envelope.spec, queryPolicyOf(params)) : undefined;
    if (planned && !planned.ok)
      throw new ApiFailure('invalid_query', planned.refusal.message, {
        field: planned.refusal.field,
        reason: planned.refusal.code,
      });
  }
  const scope = envelope.consent_scope;
  for (const vault_id of envelope.targets.vault_ids) {
    const standing = scopeStanding(state, vault_id, scope, at);
    if (standing === 'none')
      throw new ApiFailure('consent_missing', `no data subject of ${vault_id} consented to ${scope}`, {
        vault_id,
        scope,
      });
    if (standing === 'lapsed')
      throw new ApiFailure('consent_revoked', `every consent to ${scope} in ${vault_id} was revoked or has expired`, {
        vault_id,
        scope,
      });
  }
  // Other resolution failures (e.g. an undeclared attribute in the spec) reject the task in `resolving`, as before.
  if (!resolved.ok) return envelope;
  return { ...envelope, semantic: { ...envelope.semantic, resolution_hash: resolved.hash } };
}
