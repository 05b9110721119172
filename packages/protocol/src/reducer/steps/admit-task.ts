import { authorizeTask, identityEnforced } from '../../admission/authorize-task.ts';
import { envelopeHash } from '../../crypto/signing-digests.ts';
import { resolveParameters } from '../../params/resolve-parameters.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

const isSorted = (xs: readonly string[]) => xs.every((x, i) => i === 0 || xs[i - 1]! < x);

/**
 * Records a task the admission plane accepted. The reducer re-checks only what the log alone can
 * prove: identity of the envelope, its version context and epoch, and the Vaults and attributes it names;
 * on a network that registers actors, also the submitter's role, grants, free balance and executor stake.
 */
export const admitTask: Step<'task_admitted'> = {
  check(state, e, at) {
    const env = e.envelope;
    if (state.tasks[env.task_id]) return refuse('duplicate_task', `task ${env.task_id} already exists`);
    if (envelopeHash(env) !== e.envelope_hash)
      return refuse('envelope_hash_mismatch', 'envelope_hash does not match the envelope');
    if (env.spec.kind !== env.class)
      return refuse('spec_class_mismatch', `spec.kind ${env.spec.kind} is not class ${env.class}`);
    if (env.epoch_id !== at.epoch_id)
      return refuse('wrong_epoch', `envelope epoch ${env.epoch_id} is not the current epoch ${at.epoch_id}`);
    if (env.admitted_at_ms > at.time_ms) return refuse('admitted_in_future', 'admitted_at_ms is after the entry time');
    if (env.deadline_ms <= env.admitted_at_ms)
      return refuse('deadline_before_admission', 'deadline_ms must follow admitted_at_ms');
    if (
      !isSorted(env.targets.vault_ids) ||
      !isSorted(env.semantic.attributes) ||
      !isSorted(env.authorization.grant_ids)
    ) {
      return refuse('unsorted_envelope', 'vault_ids, attributes and grant_ids are sorted and unique');
    }
    const resolved = resolveParameters(state, env.epoch_id, env.semantic.semantic_version, env.policy_version);
    if (!resolved.ok) return refuse(resolved.code, resolved.message);
    const domain = resolved.value.domains.find((d) => d.domain === env.semantic.domain);
    if (!domain)
      return refuse('unknown_domain', `${env.semantic.domain} is not defined at ${env.semantic.semantic_version}`);
    const known = new Set(domain.attributes.map((a) => a.name));
    const unknown = env.semantic.attributes.filter((a) => !known.has(a));
    if (unknown.length > 0) return refuse('unknown_attribute', `not in ${env.semantic.domain}: ${unknown.join(', ')}`);
    const missing = env.targets.vault_ids.filter((v) => !state.vaults[v]);
    if (missing.length > 0) return refuse('unknown_vault', `unregistered vaults: ${missing.join(', ')}`);
    // Once the log registers actors, every task must be authorized by it (grants, budget, stake).
    if (identityEnforced(state)) return authorizeTask(state, env);
    return undefined;
  },
  run(state, e, at) {
    const env = e.envelope;
    state.tasks[env.task_id] = {
      task_id: env.task_id,
      class: env.class,
      submitter: env.submitter,
      envelope_hash: e.envelope_hash,
      policy_version: env.policy_version,
      semantic_version: env.semantic.semantic_version,
      admitted_epoch: env.epoch_id,
      deadline_ms: env.deadline_ms,
      max_fee: env.budget.max_fee,
      vault_ids: [...env.targets.vault_ids],
      state: 'accepted',
      history: [{ state: 'accepted', seq: at.seq, time_ms: at.time_ms }],
      attempt: 0,
      reward_ids: [],
      ...(env.semantic.resolution_hash ? { resolution_hash: env.semantic.resolution_hash } : {}),
      ...(env.delegation
        ? { delegation: { principal: env.delegation.principal, credential_hash: env.delegation.credential_hash } }
        : {}),
    };
  },
};
