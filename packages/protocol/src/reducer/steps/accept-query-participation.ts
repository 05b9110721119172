import { verifyEd25519 } from '../../crypto/ed25519.ts';
import { digestBytes } from '../../crypto/signing-digests.ts';
import { participationHash } from '../../query/participation.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/**
 * A subject accepts a participant query through its Vault, while the query is not yet dispatched
 * (the set is fixed when it runs, so every re-execution reads the same participants). The Vault's
 * hosting node signs the acceptance; the Vault must be a target of the task.
 */
export const acceptQueryParticipation: Step<'query_participation_accepted'> = {
  check(state, e) {
    const t = state.tasks[e.task_id];
    if (!t) return refuse('unknown_task', `task ${e.task_id}`);
    if (t.class !== 'query') return refuse('not_a_query', `task ${e.task_id} is a ${t.class} task`);
    if (t.state !== 'accepted' && t.state !== 'resolving')
      return refuse('participation_closed', `task ${e.task_id} is ${t.state}`);
    if (!t.vault_ids.includes(e.vault_id)) return refuse('vault_outside_targets', `${e.vault_id} is not a target`);
    const vault = state.vaults[e.vault_id];
    if (!vault || vault.node_id !== e.signer_node)
      return refuse('wrong_signer', `${e.signer_node} does not host ${e.vault_id}`);
    const node = state.enterprise_nodes[e.signer_node];
    if (!node || !verifyEd25519(node.public_key, digestBytes(participationHash(e)), e.signature))
      return refuse('bad_signature', 'the acceptance is not signed by the Vault node');
    if ((state.participation?.[e.task_id] ?? []).some((p) => p.vault_id === e.vault_id && p.subject === e.subject))
      return refuse('already_accepted', `${e.subject} already accepted ${e.task_id} in ${e.vault_id}`);
    return undefined;
  },
  run(state, e, at) {
    state.participation ??= {};
    const list = state.participation[e.task_id] ?? [];
    list.push({ vault_id: e.vault_id, subject: e.subject, seq: at.seq });
    state.participation[e.task_id] = list;
  },
};
