/**
 * `GET /v1/tasks/{taskId}/rounds` against `symphony up`: a real federated Train task submitted by
 * one actor. Its submitter and an operator read every round with its released held-out accuracy
 * (the figures the released result carries); another submitter gets `not_found`, exactly as for
 * the task itself; a round shows only what the round events released (no signatures, no
 * per-Vault model hashes or update commitments, no example counts); a task of another class and
 * an unknown task have no rounds.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RecordInput, TaskView } from '@symphony/api';
import { SymphonyApiError, SymphonyClient, watchTask } from '../src/index.ts';
import { signerFromKeyFile } from '../src/node.ts';
import { type RunningNetwork, symphonyUp } from '../src/testing/symphony-up.ts';

const TARGETS = ['vlt_lioncity-app', 'vlt_straits-wallet'];
const ROUNDS = 3;
/** The fields a round may show: what `train_round_*` events release, counted rather than listed. */
const ROUND_FIELDS = ['round', 'state', 'model_hash', 'participants', 'dropped', 'reason_code', 'evaluation'];

let network: RunningNetwork;
let operator: SymphonyClient;
let alice: SymphonyClient;
let bob: SymphonyClient;
let trainId = '';

const notFound = (e: unknown) => e instanceof SymphonyApiError && e.code === 'not_found';

/** 40 subjects per Vault, two purchases each; coffee is cheaper than bread, with overlap. */
function recordsOf(vault: string): RecordInput[] {
  return Array.from({ length: 80 }, (_, i) => {
    const coffee = i % 3 !== 0;
    return {
      subject: `act_${vault.slice(4, 8)}-${String(i % 40).padStart(2, '0')}`,
      fields: {
        merchant: 'Kopi Tiam',
        category: coffee ? 'coffee' : 'bakery',
        city: 'Singapore',
        total_amount: `${(coffee ? 3 : 5) + (i % 4)}.${(i * 3) % 10}0`,
        purchased_at: `2026-10-${String(1 + (i % 28)).padStart(2, '0')}T09:00:00Z`,
      },
    };
  });
}

async function until(client: SymphonyClient, taskId: string, states: TaskView['state'][]): Promise<TaskView> {
  let last: TaskView | undefined;
  for await (const t of watchTask(client, taskId, { until: [...states, 'rejected', 'timed_out'] })) last = t;
  assert.ok(last && states.includes(last.state), `task ${taskId} ended ${last?.state} (${last?.reason_code ?? ''})`);
  return last;
}

before(async () => {
  network = await symphonyUp({ actors: ['act_alice', 'act_bob'] });
  const client = (actor: string) =>
    new SymphonyClient({ baseUrl: network.url, signer: signerFromKeyFile(network.keyFile(actor)) });
  operator = client('act_local');
  alice = client('act_alice');
  bob = client('act_bob');
  for (const vault_id of TARGETS) {
    const records = recordsOf(vault_id);
    await operator.ingestRecords(vault_id, { records });
    const subjects = [...new Set(records.map((r) => r.subject))];
    await operator.grantConsents(
      subjects.map((subject) => ({ vault_id, subject, scope: 'model_training', expires_at_ms: Date.UTC(2100, 0, 1) })),
    );
  }
  const submitted = await alice.submitTask({
    class: 'train',
    submitter: 'act_alice',
    consent_scope: 'model_training',
    targets: { vault_ids: TARGETS },
    semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['category', 'total_amount'] },
    budget: { max_fee: '1000000' },
    spec: {
      kind: 'train',
      model: 'logistic_regression',
      features: ['total_amount'],
      label: 'category',
      positive_class: 'coffee',
      filter: [],
      hyperparameters: { rounds: ROUNDS, local_epochs: 1, learning_rate: '0.05', batch_size: 16 },
      min_vaults_per_round: 2,
      seed: 'd'.repeat(64),
      evaluation: { holdout_bps: 3000 },
    },
  });
  trainId = submitted.task.task_id;
});

after(async () => {
  await network?.stop();
});

test("a Train task's rounds: every round's released metric to its submitter and operators, not_found to another submitter", async () => {
  // Before or while training, another submitter is told the task does not exist, on both routes.
  await assert.rejects(bob.getTaskRounds(trainId), notFound);
  await assert.rejects(bob.getTask(trainId), notFound);

  const done = await until(alice, trainId, ['awaiting_settlement', 'completed']);
  assert.equal(done.train?.rounds_completed, ROUNDS);

  const rounds = await alice.getTaskRounds(trainId);
  assert.equal(rounds.task_id, trainId);
  assert.equal(rounds.attempt, done.attempt);
  assert.equal(rounds.rounds_completed, ROUNDS);
  assert.equal(rounds.updated_seq, done.train?.updated_seq);
  assert.deepEqual(
    rounds.rounds.map((r) => [r.round, r.state]),
    Array.from({ length: ROUNDS }, (_, i) => [i + 1, 'completed']),
  );
  assert.deepEqual(rounds.rounds.at(-1), done.train?.last_round, 'the last round is the task view`s last round');

  // The same held-out accuracy per round as the released result.
  const output = (await alice.getTaskResult(trainId)).output as {
    training: { rounds: { round: number; evaluation?: { value?: string; subjects?: number } }[] };
  };
  assert.deepEqual(
    rounds.rounds.map((r) => [r.round, r.evaluation?.value, r.evaluation?.subjects]),
    output.training.rounds.map((r) => [r.round, r.evaluation?.value, r.evaluation?.subjects]),
  );
  assert.ok(rounds.rounds.every((r) => r.evaluation?.value !== undefined && r.evaluation.subjects! >= 5));

  // Nothing beyond what the round events released (the client returns the JSON body as sent).
  for (const r of rounds.rounds) {
    assert.deepEqual(
      Object.keys(r).filter((k) => !ROUND_FIELDS.includes(k)),
      [],
    );
    assert.deepEqual(Object.keys(r.evaluation ?? {}).sort(), ['metric', 'subjects', 'value']);
  }

  // An operator sees the same rounds; another submitter still gets not_found, as for the task.
  assert.deepEqual(await operator.getTaskRounds(trainId), rounds);
  await assert.rejects(bob.getTaskRounds(trainId), notFound);
  await assert.rejects(bob.getTask(trainId), notFound);
  await assert.rejects(bob.getTaskResult(trainId), notFound);
});

test('a task of another class and an unknown task have no rounds', async () => {
  const query = await alice.submitTask({
    class: 'query',
    submitter: 'act_alice',
    consent_scope: 'model_training',
    targets: { vault_ids: TARGETS },
    semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['category'] },
    budget: { max_fee: '100000' },
    spec: { kind: 'query', filter: [], group_by: ['category'], aggregates: [{ fn: 'count_distinct_subjects' }] },
  });
  await assert.rejects(alice.getTaskRounds(query.task.task_id), (e: unknown) => {
    assert.ok(notFound(e));
    assert.match((e as Error).message, /only a Train task has rounds/);
    return true;
  });
  await assert.rejects(alice.getTaskRounds('tsk_no-such-task'), notFound);
});
