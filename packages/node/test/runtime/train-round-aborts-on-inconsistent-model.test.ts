/**
 * A model-inconsistency attack: a (test-only) aggregation enclave hands one Vault a global model
 * other than the round's. That Vault's enclave signs the hash of what it received, the driver sees
 * it differ, the round is aborted in the log, no later round starts, and the task ends rejected
 * with `model_inconsistency`. The reducer itself refuses to complete a round whose signed received
 * hashes differ from the round's model.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkEvent, roundTaskId } from '@symphony/protocol';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { AggregationEnclave } from '../../src/execution/train/aggregation-enclave.ts';
import type { EmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { openTestPglite } from '../support/pglite.ts';
import { IID_VAULTS, openTrainNetwork, penguinTrainSpec, trainRequest } from '../support/train-network.ts';
import { waitFor } from '../support/wait.ts';

const VICTIM = 'vlt_iid-b';
const TAMPERED_ROUND = 2;

/** Sends the victim Vault a slightly different model in one round. */
class SplitViewEnclave extends AggregationEnclave {
  protected override modelFor(session: { model: Float64Array }, vault_id: string, round: number): Float64Array {
    if (vault_id !== VICTIM || round !== TAMPERED_ROUND) return session.model;
    const other = Float64Array.from(session.model);
    other[0] = other[0]! + 1e-3;
    return other;
  }
}

describe('Train: a different global model sent to one Vault aborts the round', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  before(async () => {
    store = await openTestPglite();
    net = await openTrainNetwork(store, {
      vaults: IID_VAULTS,
      aggregationEnclaveFor: (node) => (node === 'node_north' ? (o) => new SplitViewEnclave(o) : undefined),
    });
  });
  after(async () => {
    await net?.close();
    await store?.close();
  });

  it('aborts the round, starts no other, and rejects the task with model_inconsistency', async () => {
    const spec = penguinTrainSpec({
      hyperparameters: { rounds: 4, local_epochs: 1, learning_rate: '0.5', batch_size: 16 },
    });
    const { task_id } = (await net.coordinator.service.submitTask(trainRequest(IID_VAULTS, spec))).task;
    const state = () => net.coordinator.follower.state;
    await waitFor(
      () => ['rejected', 'awaiting_settlement'].includes(state().tasks[task_id]?.state ?? ''),
      'end',
      120_000,
    );
    const t = state().tasks[task_id]!;
    assert.equal(t.state, 'rejected');
    assert.equal(t.reason_code, 'model_inconsistency');
    const rounds = state().train_rounds ?? {};
    assert.equal(rounds[roundTaskId(task_id, 1)]?.state, 'completed', 'the honest first round completed');
    const aborted = rounds[roundTaskId(task_id, TAMPERED_ROUND)];
    assert.equal(aborted?.state, 'aborted');
    assert.equal(aborted.reason_code, 'model_mismatch');
    assert.equal(aborted.vault_id, VICTIM);
    assert.equal(rounds[roundTaskId(task_id, TAMPERED_ROUND + 1)], undefined, 'no round after the aborted one');
  });

  it('refuses, in the reducer, a completed round whose received hashes differ from the round model', async () => {
    const spec = penguinTrainSpec({
      hyperparameters: { rounds: 1, local_epochs: 1, learning_rate: '0.5', batch_size: 16 },
    });
    const { task_id } = (await net.coordinator.service.submitTask(trainRequest(IID_VAULTS, spec))).task;
    const state = () => net.coordinator.follower.state;
    await waitFor(() => state().tasks[task_id]?.state === 'awaiting_settlement', 'trained', 120_000);
    const done = state().train_rounds![roundTaskId(task_id, 1)]!;
    // Replay the completed round against the state just after it started, with one received hash changed.
    const s = structuredClone(state());
    s.tasks[task_id]!.state = 'dispatched';
    const r = s.train_rounds![roundTaskId(task_id, 1)]!;
    r.state = 'running';
    const event = {
      type: 'train_round_completed' as const,
      task_id,
      attempt: done.attempt,
      round: 1,
      round_task_id: roundTaskId(task_id, 1),
      received: done.received!.map((x, i) => (i === 1 ? { ...x, model_hash: 'e'.repeat(64) } : x)),
      updates: done.updates!,
      dropped: [],
      model_hash: done.model_hash!,
    };
    const at = { seq: (s.head?.seq ?? 0) + 1, time_ms: s.last_time_ms, epoch_id: s.current_epoch };
    assert.equal(checkEvent(s, event, at)?.code, 'model_mismatch');
    assert.equal(checkEvent(s, { ...event, received: done.received! }, at), undefined, 'the honest event applies');
    const forged = done.received!.map((x, i) =>
      i === 0 ? { ...x, signature: x.signature.replace(/^./, (c) => (c === '0' ? '1' : '0')) } : x,
    );
    assert.equal(checkEvent(s, { ...event, received: forged }, at)?.code, 'bad_signature');
  });
});
