/**
 * The reducer steps of Train rounds, pure: rounds start in order from the previous round's model,
 * complete only with every contributor's enclave-signed received hash equal to the round's model
 * and at least the quorum of updates, abort, and a succeeded receipt must match the completed rounds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ApplyOutcome,
  type ExecutionReceipt,
  hexToBytes,
  receivedModelDigest,
  roundTaskId,
  type TaskEnvelope,
} from '../src/index.ts';
import { fakeDigest, NetworkFixture, seededKey } from './support/network-fixture.ts';

const VAULTS = ['vlt_a', 'vlt_b', 'vlt_c'];
const NODES: Record<string, string> = { vlt_a: 'node_e1', vlt_b: 'node_e1', vlt_c: 'node_e2' };
const enclaveKey = (node: string) => seededKey(`${node}.enclave`);
const T = 'tsk_train1';
const M0 = fakeDigest('model/0');
const M1 = fakeDigest('model/1');
const S = fakeDigest('standardization');

function network() {
  const net = new NetworkFixture().genesis();
  for (const node of ['node_e1', 'node_e2']) {
    net.enterprise.set(node, seededKey(node));
    net.must({
      type: 'node_registered',
      node_id: node,
      kind: 'enterprise',
      public_key: seededKey(node).publicKeyHex,
      operator: `act_op-${node.slice(5)}`,
      enclaves: [
        { provider: 'simulated', measurement: fakeDigest('train'), enclave_public_key: enclaveKey(node).publicKeyHex },
      ],
    });
  }
  for (const v of VAULTS) net.must({ type: 'vault_registered', vault_id: v, node_id: NODES[v]!, operator: 'act_op-x' });
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
    },
  });
  assert.equal(net.admit(envelope).kind, 'applied');
  net.must({ type: 'task_resolution_started', task_id: T });
  assert.equal(net.dispatch(T).kind, 'applied');
  return net;
}

const start = (round: number, model_hash: string, extra: Record<string, unknown> = {}) =>
  ({
    type: 'train_round_started',
    task_id: T,
    attempt: 1,
    round,
    round_task_id: roundTaskId(T, round),
    aggregator_node: 'node_e1',
    model_hash,
    standardization_hash: S,
    participants: VAULTS,
    quorum: 2,
    ...extra,
  }) as const;

const received = (round: number, vault_id: string, model_hash: string) => ({
  vault_id,
  model_hash,
  signature: enclaveKey(NODES[vault_id]!).sign(
    hexToBytes(receivedModelDigest({ task_id: T, round_task_id: roundTaskId(T, round), vault_id, model_hash })),
  ),
});

const complete = (round: number, from: string, to: string, vaults = VAULTS) =>
  ({
    type: 'train_round_completed',
    task_id: T,
    attempt: 1,
    round,
    round_task_id: roundTaskId(T, round),
    received: vaults.map((v) => received(round, v, from)),
    updates: vaults.map((v) => ({ vault_id: v, commitment: fakeDigest(`c/${round}/${v}`), weight: 10 })),
    dropped: VAULTS.filter((v) => !vaults.includes(v)),
    model_hash: to,
    evaluation: { metric: 'accuracy', value: '0.9', examples: 40, subjects: 12 },
  }) as const;

const recorded = (receipt: ExecutionReceipt) => ({ type: 'execution_receipt_recorded', receipt }) as const;
const code = (o: ApplyOutcome) => (o.kind === 'ignored' ? o.refusal.code : o.kind);

describe('Train round steps', () => {
  it('runs rounds in order from the previous model, with signed received hashes, then accepts the receipt', () => {
    const net = network();
    assert.equal(code(net.append(start(2, M0))), 'round_out_of_order');
    assert.equal(code(net.append(start(1, M0, { aggregator_node: 'node_master-1' }))), 'not_assigned');
    assert.equal(code(net.append(start(1, M0, { quorum: 4 }))), 'quorum_unreachable');
    assert.equal(code(net.append(start(1, M0))), 'applied');
    assert.equal(code(net.append(start(1, M0))), 'round_not_finished');
    assert.equal(code(net.append(complete(1, M0, M1, ['vlt_a']))), 'quorum_not_met');
    assert.equal(code(net.append(complete(1, M0, M1, ['vlt_a', 'vlt_c']))), 'applied', 'one Vault dropped out');
    assert.deepEqual(net.state.train_rounds?.[roundTaskId(T, 1)]?.dropped, ['vlt_b']);
    assert.equal(code(net.append(start(2, M0))), 'model_mismatch', 'round 2 starts from round 1 model only');
    assert.equal(code(net.append(start(2, M1, { standardization_hash: M0 }))), 'standardization_mismatch');
    assert.equal(
      code(net.append(recorded(net.receipt(T, { usage: { records_scanned: 10, fuel: 0, rounds: 1 } })))),
      'applied',
    );
  });

  it('refuses a completion whose received hashes differ or whose signature is not the Vault enclave', () => {
    const net = network();
    net.must(start(1, M0));
    const split = complete(1, M0, M1);
    const other = { ...split, received: split.received.map((r, i) => (i === 2 ? received(1, r.vault_id, M1) : r)) };
    assert.equal(code(net.append(other)), 'model_mismatch');
    const wrongKey = {
      ...split,
      received: split.received.map((r, i) =>
        i === 0
          ? {
              ...r,
              signature: seededKey('node_e1').sign(
                hexToBytes(
                  receivedModelDigest({
                    task_id: T,
                    round_task_id: roundTaskId(T, 1),
                    vault_id: 'vlt_a',
                    model_hash: M0,
                  }),
                ),
              ),
            }
          : r,
      ),
    };
    assert.equal(code(net.append(wrongKey)), 'bad_signature', 'the node key is not the enclave key');
    assert.equal(code(net.append({ ...split, dropped: ['vlt_b'] })), 'participation_mismatch');
    assert.equal(
      code(
        net.append({
          type: 'train_round_aborted',
          task_id: T,
          attempt: 1,
          round: 1,
          round_task_id: roundTaskId(T, 1),
          reason_code: 'model_mismatch',
          vault_id: 'vlt_c',
        }),
      ),
      'applied',
    );
    assert.equal(code(net.append(start(2, M1))), 'round_not_finished', 'nothing starts after an aborted round');
    assert.equal(
      code(net.append(recorded(net.receipt(T, { usage: { records_scanned: 10, fuel: 0, rounds: 1 } })))),
      'train_rounds_incomplete',
    );
    const failed = net.receipt(T, { status: 'failed', failure_code: 'model_inconsistency' });
    assert.equal(code(net.append(recorded(failed))), 'applied');
    assert.equal(net.state.tasks[T]?.state, 'rejected');
  });

  it('refuses a succeeded receipt whose round count is not the log’s', () => {
    const net = network();
    net.must(start(1, M0));
    net.must(complete(1, M0, M1));
    assert.equal(
      code(net.append(recorded(net.receipt(T, { usage: { records_scanned: 10, fuel: 0, rounds: 2 } })))),
      'train_rounds_mismatch',
    );
  });
});
