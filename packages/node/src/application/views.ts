/** Read models of the folded state as the API shows them. */
import type { EpochView, SettlementView, TaskView } from '@symphony/api';
import { type ProtocolState, parseAmount, type RewardRecord, statementHash, type TaskRecord } from '@symphony/protocol';
import { trainProgressOf } from './train-progress-view.ts';

export function taskView(t: TaskRecord, state?: ProtocolState): TaskView {
  const train = state && t.class === 'train' ? trainProgressOf(state, t.task_id) : undefined;
  return {
    task_id: t.task_id,
    class: t.class,
    state: t.state,
    submitter: t.submitter,
    envelope_hash: t.envelope_hash,
    policy_version: t.policy_version,
    semantic_version: t.semantic_version,
    admitted_epoch: t.admitted_epoch,
    ...(t.settle_epoch !== undefined ? { settle_epoch: t.settle_epoch } : {}),
    attempt: t.attempt,
    max_fee: t.max_fee,
    ...(t.fee !== undefined ? { fee: t.fee } : {}),
    vault_ids: t.vault_ids,
    ...(t.reason_code !== undefined ? { reason_code: t.reason_code } : {}),
    updated_seq: t.history[t.history.length - 1]!.seq,
    ...(train ? { train } : {}),
  };
}

export function epochView(state: ProtocolState, epoch_id: number): EpochView {
  const e = state.epochs[epoch_id]!;
  const s = state.settlements[epoch_id];
  const tasks = Object.values(state.tasks).filter((t) => t.settle_epoch === epoch_id).length;
  return {
    epoch_id,
    state: e.closed_at_seq === undefined ? 'open' : 'closed',
    opened_at_ms: e.opened_at_ms,
    ...(e.closed_at_ms !== undefined ? { closed_at_ms: e.closed_at_ms } : {}),
    settlement_state: s?.state ?? 'collecting',
    ...(s?.candidate ? { settlement_root: s.candidate.statement.settlement_root } : {}),
    task_count: tasks,
  };
}

export function settlementView(state: ProtocolState, epoch_id: number): SettlementView | undefined {
  const s = state.settlements[epoch_id];
  if (!s) return undefined;
  const candidate = s.candidate ? statementHash(s.candidate.statement) : undefined;
  return {
    epoch_id,
    state: s.state,
    attempt: s.attempt,
    ...(s.candidate ? { statement: s.candidate.statement } : {}),
    signatures: s.signatures.map((g) => ({
      master_id: g.master_id,
      signature: g.signature,
      matches_candidate: g.statement_hash === candidate,
    })),
    ...(s.certificate ? { certificate: s.certificate } : {}),
    quorum_certificate: s.state === 'finalized' && s.certificate ? s.certificate : null,
    entries: s.entries,
    ...(s.failure_reason ? { failure_reason: s.failure_reason } : {}),
  };
}

export function rewardTotal(rewards: readonly RewardRecord[]): string {
  return rewards
    .filter((r) => r.state === 'finalized')
    .reduce((sum, r) => sum + parseAmount(r.amount ?? '0'), 0n)
    .toString();
}
