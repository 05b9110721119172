/** Sample wire objects for tests. */
import type { SettlementView, SubmitTaskRequest, TaskView } from '@symphony/api';
import type { RewardRecord } from '@symphony/protocol';

/** A valid compute task request. */
export function sampleRequest(): SubmitTaskRequest {
  return {
    class: 'compute',
    submitter: 'act_demo-brand',
    consent_scope: 'analytics',
    targets: { vault_ids: ['vlt_alpha', 'vlt_beta'] },
    semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['category'] },
    budget: { max_fee: '100000' },
    spec: {
      kind: 'compute',
      program: { type: 'builtin', operator: 'count' },
      filter: [{ attribute: 'category', op: 'eq', value: 'coffee' }],
    },
  };
}

/** A task view in the given state. */
export function sampleTask(state: TaskView['state'] = 'accepted', overrides: Partial<TaskView> = {}): TaskView {
  return {
    task_id: 'tsk_0001',
    class: 'compute',
    state,
    submitter: 'act_demo-brand',
    envelope_hash: 'a'.repeat(64),
    policy_version: 1,
    semantic_version: '1.0.0',
    admitted_epoch: 1,
    attempt: 0,
    max_fee: '100000',
    vault_ids: ['vlt_alpha', 'vlt_beta'],
    updated_seq: 1,
    ...overrides,
  };
}

/** A finalized settlement of epoch 1 with two matching signatures out of three. */
export function sampleSettlement(state: SettlementView['state'] = 'finalized'): SettlementView {
  const statement = {
    network_id: 'symphony-local',
    epoch_id: 1,
    attempt: 1,
    settlement_root: 'b'.repeat(64),
    entry_count: 1,
    rewards_root: 'c'.repeat(64),
    reward_count: 2,
  };
  const signatures = [
    { master_id: 'node_master-1', signature: '1'.repeat(128) },
    { master_id: 'node_master-2', signature: '2'.repeat(128) },
  ];
  return {
    epoch_id: 1,
    state,
    attempt: 1,
    statement,
    signatures: [
      ...signatures.map((s) => ({ ...s, matches_candidate: true })),
      { master_id: 'node_master-3', signature: '3'.repeat(128), matches_candidate: false },
    ],
    ...(state === 'finalized' && { certificate: { schema_version: 1, statement, signatures, finalized_at_seq: 42 } }),
    quorum_certificate:
      state === 'finalized' ? { schema_version: 1, statement, signatures, finalized_at_seq: 42 } : null,
    entries: [
      {
        schema_version: 1,
        epoch_id: 1,
        task_id: 'tsk_0001',
        class: 'compute',
        policy_version: 1,
        envelope_hash: 'a'.repeat(64),
        receipt_hash: 'd'.repeat(64),
        verification_hash: 'e'.repeat(64),
        max_fee: '100000',
        fee: '21000',
        refund: '79000',
        contributions: [{ account: 'act_sub-0001', role: 'data_producer', units: 3 }],
      },
    ],
  };
}

/** Reward records of epoch 1: two accounts, one of them in two roles. */
export function sampleRewards(): RewardRecord[] {
  const record = (n: number, account: string, role: RewardRecord['role'], amount: string): RewardRecord => ({
    schema_version: 1,
    reward_id: `rwd_${String(n).padStart(32, '0')}`,
    epoch_id: 1,
    task_id: 'tsk_0001',
    account,
    role,
    units: 1,
    policy_version: 1,
    state: 'finalized',
    amount,
  });
  return [
    record(1, 'act_sub-0001', 'data_producer', '12000'),
    record(2, 'act_op-acme', 'vault_operator', '4000'),
    record(3, 'act_op-acme', 'executor', '3000'),
  ];
}
