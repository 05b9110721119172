/**
 * A recording test double of `MasterApi` for the HTTP edge tests: every call is recorded with its
 * arguments, answers come from schema-valid fixtures, and any method can be overridden to return
 * something else or throw. The real runtime behind the interface is tested end to end elsewhere.
 */
import type {
  CloseEpochResponse,
  ConsentView,
  EpochList,
  Health,
  IngestRecordsResponse,
  NetworkView,
  RewardList,
  SettlementView,
  SubmitTaskRequest,
  TaskEvents,
  TaskList,
  TaskResult,
  TaskRounds,
  TaskView,
} from '@symphony/api';
import { ApiFailure, type MasterApi } from '../../src/application/master-api.ts';

/** One recorded call. */
export type Call = { method: keyof MasterApi; args: unknown[] };

export const hex64 = (c: string) => c.repeat(64);

export const taskView: TaskView = {
  task_id: 'tsk_1',
  class: 'compute',
  state: 'accepted',
  submitter: 'act_alice',
  envelope_hash: hex64('a'),
  policy_version: 1,
  semantic_version: '1.0.0',
  admitted_epoch: 1,
  attempt: 0,
  max_fee: '1000',
  vault_ids: ['vlt_a'],
  updated_seq: 3,
};

export const taskList: TaskList = { tasks: [taskView], next_cursor: 'c1' };

export const taskEvents: TaskEvents = {
  task_id: 'tsk_1',
  events: [{ seq: 1, time_ms: 1_000, epoch_id: 1, type: 'task_admitted', state: 'accepted', outcome: 'applied' }],
};

export const taskRounds: TaskRounds = {
  task_id: 'tsk_1',
  attempt: 0,
  rounds_completed: 1,
  rounds: [
    {
      round: 1,
      state: 'completed',
      model_hash: hex64('d'),
      participants: 3,
      dropped: 0,
      evaluation: { metric: 'accuracy', value: '0.75', subjects: 40 },
    },
  ],
  updated_seq: 7,
};

export const taskResult: TaskResult = {
  task_id: 'tsk_1',
  state: 'completed',
  output: { groups: [{ key: 'all', count: 42 }] },
  output_hash: hex64('b'),
  receipt_hash: hex64('c'),
  verified: true,
};

export const epochList: EpochList = {
  current_epoch: 2,
  epochs: [
    {
      epoch_id: 1,
      state: 'closed',
      opened_at_ms: 0,
      closed_at_ms: 10,
      settlement_state: 'finalized',
      settlement_root: hex64('d'),
      task_count: 1,
    },
    { epoch_id: 2, state: 'open', opened_at_ms: 10, settlement_state: 'collecting', task_count: 0 },
  ],
};

export const closeEpochResponse: CloseEpochResponse = {
  closed_epoch: 2,
  current_epoch: 3,
  settlement_state: 'collecting',
};

export const settlementView: SettlementView = {
  epoch_id: 1,
  state: 'finalized',
  attempt: 1,
  signatures: [{ master_id: 'node_m1', signature: 'e'.repeat(128), matches_candidate: true }],
  quorum_certificate: null,
  entries: [],
};

export const rewardList: RewardList = {
  rewards: [
    {
      schema_version: 1,
      reward_id: `rwd_${'0'.repeat(32)}`,
      epoch_id: 1,
      task_id: 'tsk_1',
      account: 'act_bob',
      role: 'data_producer',
      units: 1,
      policy_version: 1,
      state: 'finalized',
      amount: '10',
    },
  ],
  total: '10',
};

export const networkView: NetworkView = {
  network_id: 'local',
  log_head: 10,
  current_epoch: 2,
  masters: [{ node_id: 'node_m1', public_key: hex64('f'), log_position: 10 }],
  enterprise_nodes: [{ node_id: 'node_e1', public_key: hex64('1'), vault_ids: ['vlt_a'] }],
  semantic_domains: ['commerce.receipt@1.0.0'],
  policy_version: 1,
};

export const health: Health = { status: 'ok', log_head: 10, checks: { log: 'ok', store: 'ok' } };

export const ingestResponse: IngestRecordsResponse = { vault_id: 'vlt_a', accepted: 2, duplicates: 0, record_count: 2 };

export const runtimeMetrics =
  '# HELP scs_log_head Position of the log head.\n# TYPE scs_log_head gauge\nscs_log_head 10\n';

export const consentView: ConsentView = {
  vault_id: 'vlt_a',
  subject: 'act_bob',
  scope: 'analytics',
  revision: 1,
  status: 'granted',
  expires_at_ms: 9_000_000_000_000,
  updated_seq: 4,
};

/** A schema-valid Compute task submission. */
export function validTask(): SubmitTaskRequest {
  return {
    class: 'compute',
    submitter: 'act_alice',
    consent_scope: 'analytics',
    targets: { vault_ids: ['vlt_a'] },
    semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['amount'] },
    budget: { max_fee: '1000' },
    spec: {
      kind: 'compute',
      program: { type: 'builtin', operator: 'sum', attribute: 'amount' },
      filter: [{ attribute: 'merchant', op: 'eq', value: 'acme' }],
    },
  };
}

/** The recording fake and its call log. */
export type FakeApi = { api: MasterApi; calls: Call[] };

/** A fake whose methods answer with the fixtures unless `overrides` says otherwise. */
export function fakeMasterApi(overrides: Partial<MasterApi> = {}): FakeApi {
  const calls: Call[] = [];
  const defaults: MasterApi = {
    network: () => networkView,
    health: async () => health,
    ingest: async () => ingestResponse,
    submitTask: async () => ({ task: taskView, created: true }),
    getTask: () => taskView,
    listTasks: async () => taskList,
    taskEvents: async () => taskEvents,
    taskRounds: () => taskRounds,
    taskResult: async () => taskResult,
    listEpochs: () => epochList,
    closeEpoch: async () => closeEpochResponse,
    settlement: () => settlementView,
    settlementProof: () => {
      throw new ApiFailure('not_found', 'No such entry.');
    },
    rewards: () => rewardList,
    metrics: () => runtimeMetrics,
    consent: {
      grant: async () => [consentView],
      revoke: async () => ({ ...consentView, status: 'revoked', revision: 2 }),
      list: () => ({ consents: [consentView] }),
    },
    semantic: {
      domains: () => ({ domains: [] }),
      domain: () => undefined,
      declareMapping: async () => {
        throw new Error('not faked');
      },
      propose: async () => {
        throw new Error('not faked');
      },
      candidates: () => ({ candidates: [], min_vaults: 3 }),
      promote: async () => {
        throw new Error('not faked');
      },
      resolution: async () => {
        throw new Error('not faked');
      },
    },
  };
  const api = {} as Record<keyof MasterApi, unknown>;
  for (const method of Object.keys(defaults) as (keyof MasterApi)[]) {
    if (typeof defaults[method] !== 'function') {
      api[method] = overrides[method] ?? defaults[method];
      continue;
    }
    const target = (overrides[method] ?? defaults[method]) as (...args: unknown[]) => unknown;
    api[method] = (...args: unknown[]) => {
      calls.push({ method, args });
      return target(...args);
    };
  }
  return { api: api as unknown as MasterApi, calls };
}
