/**
 * The `train_privacy_charged` step, pure: a DP Train task's declared spend is charged to every
 * pseudonym under `model_training` before round 1, all or nothing against `TRAINING_BUDGET`; over
 * budget the task ends rejected and the ledger does not move; the charge must precede the first
 * round and is taken once per attempt; `analytics` spend of the same pseudonyms is a separate budget.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ApplyOutcome, roundTaskId, type TaskEnvelope, TRAINING_BUDGET } from '../src/index.ts';
import { fakeDigest, NetworkFixture, seededKey } from './support/network-fixture.ts';

const VAULTS = ['vlt_a', 'vlt_b'];
const P = (i: number) => i.toString(16).padStart(32, '0');
const code = (o: ApplyOutcome) => (o.kind === 'ignored' ? o.refusal.code : o.kind);

function network(task_ids: string[]) {
  const net = new NetworkFixture().genesis();
  net.enterprise.set('node_e1', seededKey('node_e1'));
  net.must({
    type: 'node_registered',
    node_id: 'node_e1',
    kind: 'enterprise',
    public_key: seededKey('node_e1').publicKeyHex,
    operator: 'act_op-e1',
    enclaves: [
      {
        provider: 'simulated',
        measurement: fakeDigest('train'),
        enclave_public_key: seededKey('node_e1.enclave').publicKeyHex,
      },
    ],
  });
  for (const v of VAULTS) net.must({ type: 'vault_registered', vault_id: v, node_id: 'node_e1', operator: 'act_op-x' });
  for (const T of task_ids) {
    const envelope: TaskEnvelope = net.envelope(T, VAULTS, {
      class: 'train',
      consent_scope: 'model_training',
      spec: {
        kind: 'train',
        model: 'logistic_regression',
        features: ['total_amount'],
        label: 'category',
        filter: [],
        hyperparameters: { rounds: 2, local_epochs: 1, learning_rate: '0.1', batch_size: 8 },
        min_vaults_per_round: 2,
        dp: { noise_multiplier: '1.1', delta: '0.00001' },
      },
    });
    assert.equal(net.admit(envelope).kind, 'applied');
    net.must({ type: 'task_resolution_started', task_id: T });
    assert.equal(net.dispatch(T).kind, 'applied');
  }
  return net;
}

const charged = (task_id: string, epsilon_micro: number, pseudonyms: string[]) =>
  ({
    type: 'train_privacy_charged',
    task_id,
    attempt: 1,
    scope: 'model_training',
    epsilon_micro,
    delta: '0.00001',
    charged: pseudonyms,
  }) as const;

const ledgerOf = (net: NetworkFixture, scope: string) => Object.values(net.state.privacy?.ledger[scope] ?? {})[0] ?? {};

describe('train_privacy_charged', () => {
  it('charges every pseudonym, then refuses a task over budget whole and rejects it', () => {
    const net = network(['tsk_t1', 'tsk_t2']);
    const six = 6_000_000;
    assert.equal(code(net.append(charged('tsk_t1', six, [P(1), P(2), P(3)]))), 'applied');
    assert.deepEqual(ledgerOf(net, 'model_training'), { [P(1)]: six, [P(2)]: six, [P(3)]: six });
    assert.equal(net.state.tasks.tsk_t1?.release?.outcome, 'granted');
    assert.equal(net.state.tasks.tsk_t1?.state, 'dispatched');
    const before = structuredClone(net.state.privacy);
    // P(4) fits, P(3) does not (6 + 6 > 10): nobody is charged.
    assert.equal(code(net.append(charged('tsk_t2', six, [P(3), P(4)]))), 'applied');
    assert.deepEqual(net.state.privacy, before);
    assert.equal(net.state.tasks.tsk_t2?.state, 'rejected');
    assert.equal(net.state.tasks.tsk_t2?.reason_code, 'privacy_budget_exhausted');
    assert.equal(net.state.tasks.tsk_t2?.release?.charged, 0);
    assert.ok(six < TRAINING_BUDGET.budget_micro && 2 * six > TRAINING_BUDGET.budget_micro);
  });

  it('is taken once per attempt, before any round, and keeps analytics apart', () => {
    const net = network(['tsk_t1', 'tsk_t2']);
    assert.equal(code(net.append(charged('tsk_t1', 1_000, [P(1)]))), 'applied');
    assert.equal(code(net.append(charged('tsk_t1', 1_000, [P(1)]))), 'release_already_decided');
    net.must({
      type: 'train_round_started',
      task_id: 'tsk_t2',
      attempt: 1,
      round: 1,
      round_task_id: roundTaskId('tsk_t2', 1),
      aggregator_node: 'node_e1',
      model_hash: fakeDigest('m0'),
      standardization_hash: fakeDigest('s'),
      participants: VAULTS,
      quorum: 2,
    });
    assert.equal(code(net.append(charged('tsk_t2', 1_000, [P(1)]))), 'rounds_already_started');
    assert.equal(code(net.append({ ...charged('tsk_t1', 1_000, [P(1)]), attempt: 2 })), 'stale_attempt');
    assert.deepEqual(ledgerOf(net, 'model_training'), { [P(1)]: 1_000 });
    assert.deepEqual(ledgerOf(net, 'analytics'), {}, 'training spends no analytics budget');
  });
});
