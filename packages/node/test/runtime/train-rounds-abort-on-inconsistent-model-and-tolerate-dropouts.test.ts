/**
 * A model-inconsistency attack: a (test-only) aggregation enclave hands one Vault a global model
 * other than the round's. That Vault's enclave signs the hash of what it received, the driver sees
 * it differ, the round is aborted in the log, no later round starts, and the task ends rejected
 * with `model_inconsistency`. The reducer itself refuses to complete a round whose signed received
 * hashes differ from the round's model. A Vault that cannot train (none of its subjects'
 * records are there) drops out of every round: the rounds complete without it down to the task's
 * quorum, and a task whose quorum cannot be met ends rejected with `quorum_not_met`. DP training
 * clips and noises at the aggregator exactly as the in-memory run does under the enclaves' secret
 * noise seed (derived with the enclave root key) and releases the spend; the same run with noise
 * drawn from the public seeds (the spec's, the replay seed) gives another model, so whoever holds
 * only the public data cannot reproduce, hence cannot subtract, the noise.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkEvent, replaySeedOf, roundTaskId, type TaskEnvelope } from '@symphony/protocol';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { loadNoiseSeeder } from '../../src/execution/noise-seed.ts';
import { AggregationEnclave } from '../../src/execution/train/aggregation-enclave.ts';
import { trainingPrivacySpend } from '../../src/execution/train/dp-accountant.ts';
import { runInMemory, vaultExamples } from '../../src/execution/train/federated-core.ts';
import { planOf } from '../../src/execution/train/train-plan.ts';
import type { EmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { grantConsents } from '../support/consent.ts';
import { openTestPglite } from '../support/pglite.ts';
import {
  IID_VAULTS,
  openTrainNetwork,
  penguinPartitions,
  penguinTrainSpec,
  trainRequest,
} from '../support/train-network.ts';
import { waitFor } from '../support/wait.ts';

const VICTIM = 'vlt_iid-b';
const TAMPERED_ROUND = 2;
/** The seed of the task the enclave attacks (the other tasks run honestly). */
const ATTACKED_SEED = 'c'.repeat(64);

/** Sends the victim Vault a slightly different model in one round of the attacked task. */
class SplitViewEnclave extends AggregationEnclave {
  protected override modelFor(
    session: { model: Float64Array; envelope: TaskEnvelope },
    vault_id: string,
    round: number,
  ): Float64Array {
    const attacked = session.envelope.spec.kind === 'train' && session.envelope.spec.seed === ATTACKED_SEED;
    if (!attacked || vault_id !== VICTIM || round !== TAMPERED_ROUND) return session.model;
    const other = Float64Array.from(session.model);
    other[0] = other[0]! + 1e-3;
    return other;
  }
}

describe('Train rounds: model inconsistency aborts, dropouts down to the quorum, DP training', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  const keyring = new MemoryKeyring();
  before(async () => {
    store = await openTestPglite();
    net = await openTrainNetwork(store, {
      keyring,
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
      seed: ATTACKED_SEED,
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

  it('completes rounds without a Vault that drops out, down to the quorum, and rejects below it', async () => {
    // vlt_skew-c holds consented records without a measurement the model needs: it cannot train.
    const partial = Array.from({ length: 6 }, (_, i) => ({
      subject: `act_partial-${i}`,
      fields: { species: 'Adelie', beak_length_mm: '39.1', flipper_length_mm: '181', body_mass_g: '3750', sex: 'MALE' },
    }));
    await net.coordinator.service.ingest('vlt_skew-c', { records: partial });
    await grantConsents(
      net.coordinator.service,
      'vlt_skew-c',
      partial.map((r) => r.subject),
      'model_training',
    );
    const targets = [...IID_VAULTS.slice(0, 2), 'vlt_skew-c'];
    const hyperparameters = { rounds: 2, local_epochs: 1, learning_rate: '0.5', batch_size: 16 };
    const state = () => net.coordinator.follower.state;
    const run = async (quorum: number) => {
      const spec = penguinTrainSpec({ hyperparameters, min_vaults_per_round: quorum });
      const { task_id } = (await net.coordinator.service.submitTask(trainRequest(targets, spec))).task;
      await waitFor(
        () => ['rejected', 'awaiting_settlement'].includes(state().tasks[task_id]?.state ?? ''),
        'end',
        120_000,
      );
      return task_id;
    };
    const tolerated = await run(2);
    assert.equal(state().tasks[tolerated]?.state, 'awaiting_settlement', state().tasks[tolerated]?.reason_code);
    for (const r of [1, 2]) {
      const round = state().train_rounds![roundTaskId(tolerated, r)]!;
      assert.equal(round.state, 'completed');
      assert.deepEqual(round.dropped, ['vlt_skew-c']);
      assert.deepEqual(
        round.received!.map((x) => x.vault_id),
        IID_VAULTS.slice(0, 2),
      );
    }
    const refused = await run(3);
    assert.equal(state().tasks[refused]?.state, 'rejected');
    assert.equal(state().tasks[refused]?.reason_code, 'quorum_not_met');
    assert.equal(state().train_rounds![roundTaskId(refused, 1)]?.state, 'aborted');
  });

  it('DP training clips and noises at the aggregator and releases the per-subject privacy spent', async () => {
    const spec = penguinTrainSpec({
      hyperparameters: { rounds: 3, local_epochs: 1, learning_rate: '0.5', batch_size: 16, clip_norm: '0.5' },
      dp: { noise_multiplier: '1.1', delta: '0.00001' },
    });
    const { task_id } = (await net.coordinator.service.submitTask(trainRequest(IID_VAULTS, spec))).task;
    const state = () => net.coordinator.follower.state;
    await waitFor(
      () => ['rejected', 'awaiting_settlement'].includes(state().tasks[task_id]?.state ?? ''),
      'end',
      120_000,
    );
    assert.equal(state().tasks[task_id]?.state, 'awaiting_settlement', state().tasks[task_id]?.reason_code);
    const result = (await net.coordinator.service.taskResult(task_id)) as unknown as {
      output: {
        model: { model_hash: string };
        privacy: { epsilon: string; delta: string; rounds: number; subjects_charged: number };
      };
    };
    const { byVault } = penguinPartitions();
    const plan = planOf(spec, 'f'.repeat(64));
    const vaults = IID_VAULTS.map((vault_id) => ({
      vault_id,
      data: vaultExamples(byVault.get(vault_id)!, spec, plan, 0),
    }));
    const t = state().tasks[task_id]!;
    const replaySeed = replaySeedOf(t.envelope_hash);
    const noiseSeed = (await loadNoiseSeeder(keyring))('train-dp', replaySeed, t.attempt);
    const inMemory = runInMemory(plan, vaults, 5, noiseSeed);
    assert.equal(result.output.model.model_hash, inMemory.model_hash, 'the same clipped and noised aggregation');
    for (const publicSeed of [plan.seed, replaySeed])
      assert.notEqual(
        result.output.model.model_hash,
        runInMemory(plan, vaults, 5, publicSeed).model_hash,
        'the noise is not the one a public seed gives',
      );
    const { dp: _dp, ...withoutNoise } = plan;
    const noiseless = runInMemory(withoutNoise, vaults, 5).model_hash;
    assert.notEqual(result.output.model.model_hash, noiseless);
    const expected = trainingPrivacySpend(spec.dp!, 3, []);
    assert.equal(result.output.privacy.epsilon, expected.epsilon);
    assert.equal(result.output.privacy.rounds, 3);
    assert.ok(result.output.privacy.subjects_charged > 50, 'every training subject is charged');
    assert.ok(!JSON.stringify(result.output.privacy).includes('act_penguin'), 'the release names no subject');
  });
});
