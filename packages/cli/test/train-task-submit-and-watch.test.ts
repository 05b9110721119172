/**
 * The CLI and Train: `task submit` sends a train spec file (and refuses a malformed one locally,
 * naming the field), `task watch` prints each round's progress with the held-out metric, and
 * `task show` names the last round.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TaskView } from '@symphony/api';
import { runCli } from '../src/program.ts';
import { argv, captureIo } from './support/capture-io.ts';
import { startFakeApi } from './support/fake-api.ts';
import { sampleTask } from './support/fixtures.ts';

const trainRequest = () => ({
  class: 'train',
  submitter: 'act_lab',
  consent_scope: 'model_training',
  targets: { vault_ids: ['vlt_iid-a', 'vlt_iid-b', 'vlt_iid-c'] },
  semantic: { domain: 'bio.penguin', semantic_version: '1.0.0', attributes: ['beak_depth_mm', 'body_mass_g', 'sex'] },
  budget: { max_fee: '1000000' },
  spec: {
    kind: 'train',
    model: 'logistic_regression',
    features: ['beak_depth_mm', 'body_mass_g'],
    label: 'sex',
    positive_class: 'MALE',
    filter: [],
    hyperparameters: { rounds: 3, local_epochs: 1, learning_rate: '0.5', batch_size: 16 },
    min_vaults_per_round: 2,
    evaluation: { holdout_bps: 2000 },
  },
});

describe('symphony task submit / watch with a Train task', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'symphony-cli-train-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('submits a train spec file, and refuses one with a malformed hyperparameter without calling the API', async () => {
    const api = await startFakeApi({
      'POST /v1/tasks': () => ({ status: 201, body: sampleTask('accepted', { class: 'train' }) }),
    });
    try {
      const file = join(dir, 'train.json');
      await writeFile(file, JSON.stringify(trainRequest()));
      const io = captureIo();
      assert.equal(await runCli(argv('--api', api.url, 'task', 'submit', file), io), 0, io.err());
      const sent = api.requests.at(-1)!.body as { spec: { kind: string; evaluation: unknown } };
      assert.equal(sent.spec.kind, 'train');
      assert.deepEqual(sent.spec.evaluation, { holdout_bps: 2000 });

      const example = new URL('../../../examples/requests/train-penguins.json', import.meta.url).pathname;
      const io1 = captureIo();
      assert.equal(await runCli(argv('--api', api.url, 'task', 'submit', example), io1), 0, io1.err());

      const bad = trainRequest();
      (bad.spec.hyperparameters as Record<string, unknown>).learning_rate = 0.5;
      await writeFile(file, JSON.stringify(bad));
      const before = api.requests.length;
      const io2 = captureIo();
      assert.equal(await runCli(argv('--api', api.url, 'task', 'submit', file), io2), 2);
      assert.match(io2.err(), /\/spec\/hyperparameters\/learning_rate/);
      assert.equal(api.requests.length, before, 'nothing was sent');
    } finally {
      await api.close();
    }
  });

  it('prints round progress and the current held-out accuracy while it trains', async () => {
    let poll = 0;
    const progress = (n: number): NonNullable<TaskView['train']> => ({
      rounds_completed: n,
      last_round: {
        round: n,
        state: 'completed',
        model_hash: `${n}`.repeat(64),
        participants: 3,
        dropped: n === 2 ? 1 : 0,
        evaluation: { metric: 'accuracy', value: `0.8${n}`, subjects: 40 },
      },
      updated_seq: 10 + n,
    });
    const api = await startFakeApi({
      'GET /v1/tasks/tsk_0001': () => {
        poll++;
        const n = Math.min(poll, 3);
        const state = poll > 3 ? 'awaiting_settlement' : 'dispatched';
        return { body: sampleTask(state, { class: 'train', updated_seq: poll > 3 ? 20 : 5, train: progress(n) }) };
      },
      'GET /v1/tasks/tsk_0001/events': () => ({ body: { task_id: 'tsk_0001', events: [] } }),
    });
    try {
      const io = captureIo();
      const code = await runCli(argv('--api', api.url, 'task', 'watch', 'tsk_0001', '--interval', '0.01'), io);
      assert.equal(code, 0, io.err());
      const out = io.out();
      assert.match(out, /round 1 completed .*held-out accuracy 0\.81 over 40 subjects/);
      assert.match(out, /round 2 completed .*3 Vaults, 1 dropped/);
      assert.match(out, /round 3 completed .*model 333333333333…/);
      assert.ok(out.indexOf('round 1') < out.indexOf('round 2') && out.indexOf('round 2') < out.indexOf('round 3'));
      assert.equal(out.match(/round 3 completed/g)?.length, 1, 'a round is printed once');
    } finally {
      await api.close();
    }
  });

  it('task show names the round progress of a Train task', async () => {
    const train: NonNullable<TaskView['train']> = {
      rounds_completed: 2,
      last_round: { round: 3, state: 'aborted', participants: 3, dropped: 0, reason_code: 'model_mismatch' },
      updated_seq: 9,
    };
    const api = await startFakeApi({
      'GET /v1/tasks/tsk_0001': () => ({ body: sampleTask('rejected', { class: 'train', train }) }),
      'GET /v1/tasks/tsk_0001/events': () => ({ body: { task_id: 'tsk_0001', events: [] } }),
      'GET /v1/tasks/tsk_0001/result': () => ({
        status: 409,
        body: { code: 'result_not_ready', message: 'no result', details: {} },
      }),
    });
    try {
      const io = captureIo();
      assert.equal(await runCli(argv('--api', api.url, 'task', 'show', 'tsk_0001'), io), 0, io.err());
      assert.match(io.out(), /training:\s+round 3 aborted \(model_mismatch\)\s+2 done, 3 Vaults, 0 dropped/);
    } finally {
      await api.close();
    }
  });
});
