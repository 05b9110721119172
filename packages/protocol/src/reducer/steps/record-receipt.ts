import { verifyEd25519 } from '../../crypto/ed25519.ts';
import { digestBytes, receiptHash } from '../../crypto/signing-digests.ts';
import { assignVerification } from '../../verification/verifier-assignment.ts';
import { checkTaskEvent, moveTask } from '../moves.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';
import { checkTrainReceipt } from './train-round-helpers.ts';

/**
 * dispatched -> verifying on a signed receipt from an assigned node, or dispatched -> rejected when
 * the node honestly reports it cannot execute (not fraud, never slashed).
 */
export const recordReceipt: Step<'execution_receipt_recorded'> = {
  check(state, e) {
    const r = e.receipt;
    const to = r.status === 'succeeded' ? 'verifying' : 'rejected';
    const refusal = checkTaskEvent(state.tasks, r.task_id, ['dispatched'], to);
    if (refusal) return refusal;
    const t = state.tasks[r.task_id]!;
    if (r.attempt !== t.attempt)
      return refuse('stale_attempt', `receipt for attempt ${r.attempt}, current is ${t.attempt}`);
    if (!t.assignments?.some((a) => a.node_id === r.executor_node)) {
      return refuse('not_assigned', `${r.executor_node} was not assigned task ${r.task_id}`);
    }
    const node = state.enterprise_nodes[r.executor_node];
    if (!node || node.public_key !== r.signer_public_key)
      return refuse('unknown_signer', 'receipt signer is not the node key');
    if (!verifyEd25519(r.signer_public_key, digestBytes(receiptHash(r)), r.signature)) {
      return refuse('bad_signature', 'receipt signature does not verify');
    }
    const ctx = r.replay_context;
    if (
      ctx.semantic_version !== t.semantic_version ||
      ctx.policy_version !== t.policy_version ||
      ctx.epoch_id !== t.admitted_epoch
    ) {
      return refuse('replay_context_mismatch', 'replay context differs from the task envelope');
    }
    if (r.vault_ids.some((v) => !t.vault_ids.includes(v)))
      return refuse('vault_outside_targets', 'receipt names a non-target vault');
    if (r.contributions.some((c) => c.role !== 'data_producer' && c.role !== 'vault_operator')) {
      return refuse('invalid_contribution_role', 'a receipt credits only data producers and vault operators');
    }
    if (r.status === 'failed' && !r.failure_code)
      return refuse('missing_failure_code', 'a failed receipt names its failure_code');
    return checkTrainReceipt(state, r);
  },
  run(state, e, at) {
    const r = e.receipt;
    const t = state.tasks[r.task_id]!;
    t.receipt_hash = receiptHash(r);
    t.executor_node = r.executor_node;
    t.usage = { ...r.usage };
    if (r.status === 'succeeded') {
      t.contributions = r.contributions.map((c) => ({ ...c }));
      t.verification_assignment = assignVerification(state, {
        task_id: t.task_id,
        attempt: r.attempt,
        policy_version: t.policy_version,
        executor_node: r.executor_node,
        seq: at.seq,
        entryHash: state.head?.hash ?? '',
        receiptHash: t.receipt_hash,
      });
      moveTask(t, 'verifying', at);
    } else {
      moveTask(t, 'rejected', at);
      t.reason_code = r.failure_code ?? 'execution_failed';
    }
  },
};
