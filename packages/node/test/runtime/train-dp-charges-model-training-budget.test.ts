/**
 * DP training spends the subjects' `model_training` budget in the ledger Query uses: before round 1
 * the coordinator appends `train_privacy_charged` with the declared spend of all rounds for the
 * keyed pseudonym (Query's key) of every training subject, and the reducer charges all or nothing.
 * A second DP task that would pass the budget is rejected before any round and charges nothing; a
 * non-DP task charges nothing; a Query under `analytics` is charged on its own scope, untouched by
 * the training spend.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SubmitTaskRequest } from '@symphony/api';
import { defaultQueryPolicy, TRAINING_BUDGET, windowOf } from '@symphony/protocol';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { loadPseudonymizer } from '../../src/execution/query/subject-pseudonyms.ts';
import { declaredTrainingSpend, epsilonMicro } from '../../src/execution/train/dp-accountant.ts';
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

const hyperparameters = { rounds: 3, local_epochs: 1, learning_rate: '0.5', batch_size: 16, clip_norm: '0.5' };
const dpSpec = (seed: string) =>
  penguinTrainSpec({ seed, hyperparameters, dp: { noise_multiplier: '1.1', delta: '0.00001' } });

describe('DP Train charges the model_training budget in the shared ledger', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  const keyring = new MemoryKeyring();
  const state = () => net.coordinator.follower.state;
  const run = async (req: SubmitTaskRequest) => {
    const { task_id } = (await net.coordinator.service.submitTask(req)).task;
    await waitFor(
      () => ['rejected', 'awaiting_settlement'].includes(state().tasks[task_id]?.state ?? ''),
      'end',
      120_000,
    );
    return task_id;
  };
  const scopeLedger = (scope: string) => {
    const windows = state().privacy?.ledger[scope] ?? {};
    return structuredClone(Object.values(windows)[0] ?? {});
  };

  before(async () => {
    store = await openTestPglite();
    net = await openTrainNetwork(store, { vaults: IID_VAULTS, keyring });
  });
  after(async () => {
    await net?.close();
    await store?.close();
  });

  it('charges every training subject the declared spend, refuses a task over budget whole, and a non-DP task charges nothing', async () => {
    const declared = epsilonMicro(declaredTrainingSpend(dpSpec('1'.repeat(64)))!.epsilon);
    assert.ok(declared < TRAINING_BUDGET.budget_micro && 2 * declared > TRAINING_BUDGET.budget_micro);
    const first = await run(trainRequest(IID_VAULTS, dpSpec('1'.repeat(64))));
    assert.equal(state().tasks[first]?.state, 'awaiting_settlement', state().tasks[first]?.reason_code);

    const charged = scopeLedger('model_training');
    const pseudonymOf = await loadPseudonymizer(keyring);
    const { byVault } = penguinPartitions();
    const everyone = new Set(IID_VAULTS.flatMap((v) => byVault.get(v)!.map((r) => pseudonymOf(r.subject))));
    const result = (await net.coordinator.service.taskResult(first)) as unknown as {
      output: { privacy: { subjects_charged: number; epsilon_charged_micro: number; epsilon: string } };
    };
    assert.equal(result.output.privacy.epsilon_charged_micro, declared, 'the artifact records the epsilon charged');
    assert.equal(epsilonMicro(result.output.privacy.epsilon), declared, 'all rounds ran: the exact spend is declared');
    assert.equal(Object.keys(charged).length, result.output.privacy.subjects_charged);
    assert.ok(Object.keys(charged).length > 50);
    for (const [p, amount] of Object.entries(charged)) {
      assert.ok(everyone.has(p), 'a ledger key is the Query pseudonym of a subject the training read');
      assert.equal(amount, declared);
    }
    const window = windowOf(state().current_epoch, TRAINING_BUDGET.window_epochs);
    assert.ok(state().privacy!.ledger.model_training![`${window.start_epoch}+${window.length_epochs}`]);

    // The same subjects again: over budget, rejected before any round, nothing charged.
    const second = await run(trainRequest(IID_VAULTS, dpSpec('2'.repeat(64))));
    const t = state().tasks[second]!;
    assert.equal(t.state, 'rejected');
    assert.equal(t.reason_code, 'privacy_budget_exhausted');
    assert.equal(t.release?.outcome, 'refused');
    assert.deepEqual(scopeLedger('model_training'), charged, 'a refused charge charges nobody');
    assert.ok(
      !Object.values(state().train_rounds ?? {}).some((r) => r.task_id === second),
      'no round of the refused task started',
    );
    await assert.rejects(net.coordinator.service.taskResult(second), 'nothing is released');

    // Without DP: no charge event, the ledger does not move.
    const plain = await run(trainRequest(IID_VAULTS, penguinTrainSpec({ seed: '3'.repeat(64), hyperparameters })));
    assert.equal(state().tasks[plain]?.state, 'awaiting_settlement', state().tasks[plain]?.reason_code);
    assert.equal(state().tasks[plain]?.release, undefined);
    assert.deepEqual(scopeLedger('model_training'), charged);
  });

  it('leaves a Query under analytics to its own scope, unaffected by model_training spend', async () => {
    const { byVault } = penguinPartitions();
    for (const v of IID_VAULTS)
      await grantConsents(
        net.coordinator.service,
        v,
        byVault.get(v)!.map((r) => r.subject),
        'analytics',
      );
    const training = scopeLedger('model_training');
    assert.ok(Object.keys(training).length > 0, 'the training spend of the first test is in the ledger');
    const task_id = await run({
      class: 'query',
      submitter: 'act_lab',
      consent_scope: 'analytics',
      targets: { vault_ids: IID_VAULTS },
      semantic: { domain: 'bio.penguin', semantic_version: '1.0.0', attributes: ['species'] },
      budget: { max_fee: '100000' },
      spec: { kind: 'query', filter: [], group_by: ['species'], aggregates: [{ fn: 'count_distinct_subjects' }] },
    } as SubmitTaskRequest);
    const t = state().tasks[task_id]!;
    assert.equal(t.state, 'awaiting_settlement', t.reason_code);
    assert.equal(t.release?.outcome, 'granted');
    const analytics = scopeLedger('analytics');
    const epsilon = defaultQueryPolicy(5).epsilon_micro;
    assert.ok(Object.keys(analytics).length > 0);
    for (const amount of Object.values(analytics)) assert.equal(amount, epsilon, 'only the query epsilon');
    // Subjects exhausted for training are still charged (and served) under analytics.
    assert.ok(Object.keys(analytics).some((p) => p in training));
    assert.deepEqual(scopeLedger('model_training'), training, 'the query does not touch model_training');
  });
});
