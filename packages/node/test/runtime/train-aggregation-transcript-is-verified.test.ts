/**
 * A Train task is verified from its aggregation transcript: the sealed transcript's model hash and
 * training transcript against the log's rounds (each Vault enclave's signed received-model hash,
 * each update commitment, who dropped out, each round's aggregate) and, for DP, the budget charge
 * before round 1. An honest DP task is accepted by that check; the same transcript against a log
 * whose aggregated model hash differs, where one Vault received another model, an update is
 * missing, a round is missing, or the charge is missing, is rejected with the reason naming it. A
 * compromised aggregation enclave that seals a model hash other than the rounds' aggregate gets a
 * signed `rejected` decision with `model_hash_mismatch`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  checkTrainAggregation,
  type ExecutionReceipt,
  type ProtocolState,
  roundTaskId,
  type TaskEnvelope,
  type VerificationDecision,
} from '@symphony/protocol';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { EvidenceStore } from '../../src/data/evidence-store.ts';
import { schemaOf } from '../../src/data/sql-names.ts';
import { AggregationEnclave } from '../../src/execution/train/aggregation-enclave.ts';
import { declaredTrainingSpend, epsilonMicro } from '../../src/execution/train/dp-accountant.ts';
import type { EmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { openTestPglite } from '../support/pglite.ts';
import { IID_VAULTS, openTrainNetwork, penguinTrainSpec, trainRequest } from '../support/train-network.ts';
import { waitFor } from '../support/wait.ts';

/** The seed of the task whose sealed transcript the compromised enclave falsifies (others run honestly). */
const ATTACKED_SEED = 'c'.repeat(64);

/** Seals a model hash other than the last round's aggregate, for the attacked task only. */
class OtherModelEnclave extends AggregationEnclave {
  protected override sealedModelHash(envelope: TaskEnvelope, model_hash: string): string {
    return envelope.spec.kind === 'train' && envelope.spec.seed === ATTACKED_SEED ? 'e'.repeat(64) : model_hash;
  }
}

const hyperparameters = { rounds: 3, local_epochs: 1, learning_rate: '0.5', batch_size: 16, clip_norm: '0.5' };
const spec = penguinTrainSpec({
  seed: '7'.repeat(64),
  hyperparameters,
  dp: { noise_multiplier: '1.1', delta: '0.00001' },
});

describe('Train is verified from its rounds in the log and its sealed transcript', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  let task_id = '';
  let envelope: TaskEnvelope;
  let receipt: ExecutionReceipt;
  let transcript: Parameters<typeof checkTrainAggregation>[0]['transcript'];
  const state = () => net.coordinator.follower.state;
  const expected_epsilon_micro = epsilonMicro(declaredTrainingSpend(spec)!.epsilon);

  /** Reads the object a task's applied log entry of `type` carries. */
  async function logged<T>(type: string, pick: (event: Record<string, unknown>) => T): Promise<T> {
    const at = (net.coordinator.follower.taskEntries.get(task_id) ?? []).find(
      (e) => e.type === type && e.outcome === 'applied',
    );
    assert.ok(at, `${type} is in the log`);
    const entry = await net.coordinator.follower.entryAt(at.seq);
    return pick(entry!.event as unknown as Record<string, unknown>);
  }

  before(async () => {
    store = await openTestPglite();
    net = await openTrainNetwork(store, {
      vaults: IID_VAULTS,
      aggregationEnclaveFor: () => (o) => new OtherModelEnclave(o),
    });
    task_id = (await net.coordinator.service.submitTask(trainRequest(IID_VAULTS, spec))).task.task_id;
    await waitFor(
      () => ['rejected', 'awaiting_settlement'].includes(state().tasks[task_id]?.state ?? ''),
      'trained and verified',
      180_000,
    );
    envelope = await logged('task_admitted', (e) => e.envelope as TaskEnvelope);
    receipt = await logged('execution_receipt_recorded', (e) => e.receipt as ExecutionReceipt);
    const evidence = new EvidenceStore(store, schemaOf(receipt.executor_node));
    transcript = (await evidence.transcript(receipt.transcript_hash))!.transcript;
  });
  after(async () => {
    await net?.close();
    await store?.close();
  });

  const check = (s: ProtocolState) =>
    checkTrainAggregation({ state: s, envelope, receipt, transcript, expected_epsilon_micro });
  const round = (s: ProtocolState, r: number) => s.train_rounds![roundTaskId(task_id, r)]!;

  it('accepts the honest DP task by the transcript check (no re-execution)', async () => {
    assert.equal(state().tasks[task_id]!.state, 'awaiting_settlement', state().tasks[task_id]!.reason_code);
    const decision = await logged('verification_decided', (e) => e.decision as VerificationDecision);
    assert.equal(decision.outcome, 'accepted');
    assert.equal(decision.method, 'transcript_check');
    assert.deepEqual(check(state()), { ok: true });
  });

  const tampers: [string, (s: ProtocolState) => void, string][] = [
    [
      'the aggregated model hash differs from the sealed one',
      (s) => (round(s, 3).model_hash = 'e'.repeat(64)),
      'model_hash_mismatch',
    ],
    [
      'one Vault signed another received model',
      (s) => (round(s, 2).received![0]!.model_hash = 'e'.repeat(64)),
      'model_hash_mismatch',
    ],
    [
      'a round starts from another model',
      (s) => (round(s, 2).start_model_hash = 'e'.repeat(64)),
      'model_hash_mismatch',
    ],
    [
      'a received-model signature is not the Vault enclave’s',
      (s) => (round(s, 1).received![0]!.signature = '0'.repeat(128)),
      'received_signature_invalid',
    ],
    ['an update is missing', (s) => round(s, 1).updates!.pop(), 'update_missing'],
    ['a round is missing', (s) => delete s.train_rounds![roundTaskId(task_id, 2)], 'round_missing'],
    [
      'an update commitment differs',
      (s) => (round(s, 1).updates![0]!.commitment = 'e'.repeat(64)),
      'training_transcript_mismatch',
    ],
    ['the budget charge is missing', (s) => delete s.tasks[task_id]!.release, 'budget_not_charged'],
    [
      'the charge is not the declared spend',
      (s) => (s.tasks[task_id]!.release!.epsilon_micro = expected_epsilon_micro - 1),
      'budget_not_charged',
    ],
  ];
  for (const [what, tamper, reason] of tampers) {
    it(`rejects with ${reason} when ${what}`, () => {
      const s = structuredClone(state());
      tamper(s);
      assert.deepEqual(check(s), { ok: false, reason_code: reason });
    });
  }

  it('rejects, by a signed decision, a task whose enclave sealed another model than the rounds produced', async () => {
    const attacked = penguinTrainSpec({
      seed: ATTACKED_SEED,
      hyperparameters: { rounds: 2, local_epochs: 1, learning_rate: '0.5', batch_size: 16 },
    });
    const id = (await net.coordinator.service.submitTask(trainRequest(IID_VAULTS, attacked))).task.task_id;
    await waitFor(
      () => ['rejected', 'awaiting_settlement'].includes(state().tasks[id]?.state ?? ''),
      'attacked task verified',
      180_000,
    );
    const t = state().tasks[id]!;
    assert.equal(t.state, 'rejected');
    assert.equal(t.reason_code, 'model_hash_mismatch');
    assert.equal(state().train_rounds![roundTaskId(id, 2)]!.state, 'completed', 'the rounds themselves were sound');
    const at = (net.coordinator.follower.taskEntries.get(id) ?? []).find(
      (e) => e.type === 'verification_decided' && e.outcome === 'applied',
    );
    const entry = await net.coordinator.follower.entryAt(at!.seq);
    const decision = (entry!.event as unknown as { decision: VerificationDecision }).decision;
    assert.equal(decision.outcome, 'rejected');
    assert.equal(decision.method, 'transcript_check');
    assert.equal(decision.reason_code, 'model_hash_mismatch');
  });
});
