import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../src/program.ts';
import { argv, captureIo } from './support/capture-io.ts';
import { type FakeApi, startFakeApi } from './support/fake-api.ts';
import { sampleRewards, sampleSettlement, sampleTask } from './support/fixtures.ts';

describe('read and epoch commands against a fake node', () => {
  let api: FakeApi;
  let settlementPolls = 0;

  before(async () => {
    api = await startFakeApi({
      'GET /v1/tasks': (request) => ({
        body: {
          tasks: [
            sampleTask(request.query.get('state') === 'rejected' ? 'rejected' : 'awaiting_settlement', {
              fee: '21000',
            }),
            sampleTask('dispatched', { task_id: 'tsk_0002' }),
          ],
          next_cursor: 'page-2',
        },
      }),
      'GET /v1/epochs/1/settlement': () => ({ body: sampleSettlement() }),
      'GET /v1/epochs/2/settlement': () => {
        settlementPolls++;
        return { body: sampleSettlement(settlementPolls < 3 ? 'candidate_ready' : 'finalized') };
      },
      'POST /v1/epochs/current/close': () => ({
        body: { closed_epoch: 2, current_epoch: 3, settlement_state: 'verifying_inputs' },
      }),
      'GET /v1/rewards': () => ({ body: { rewards: sampleRewards(), total: '19000' } }),
    });
  });
  after(() => api.close());

  const run = async (...args: string[]) => {
    const io = captureIo();
    const code = await runCli(argv('--api', api.url, ...args), io);
    return { code, out: io.out(), err: io.err() };
  };

  it('lists tasks as an aligned table with the filters sent as query', async () => {
    const { code, out } = await run('task', 'list', '--state', 'rejected', '--class', 'compute', '--limit', '5');
    assert.equal(code, 0);
    assert.equal(api.requests.at(-1)?.query.toString(), 'state=rejected&class=compute&limit=5');
    const lines = out.split('\n');
    assert.match(lines[0] ?? '', /^TASK\s+CLASS\s+STATE\s+EPOCH\s+FEE\s+MAX FEE\s+VAULTS\s+REASON$/);
    assert.match(out, /tsk_0001\s+compute\s+rejected\s+1\s+21000\s+100000\s+2/);
    assert.equal(lines[1]?.indexOf('compute'), lines[2]?.indexOf('compute'), 'columns align');
    assert.match(out, /2 tasks \(more available\)/);
    assert.match(out, /task list --cursor page-2/);
  });

  it('shows a settlement: root, statement, which signatures match, the certificate and the entries', async () => {
    const { code, out } = await run('settlement', 'show', '1');
    assert.equal(code, 0);
    assert.match(out, /settlement of epoch 1: finalized \(attempt 1\)/);
    assert.match(out, new RegExp(`settlement root\\s+${'b'.repeat(64)}`));
    assert.match(out, /rewards_root:\s+c{64}/);
    assert.match(out, /master signatures: 3 \(2 match the candidate\)/);
    assert.match(out, /node_master-3\s+\S+\s+no\s+-/);
    assert.match(out, /node_master-1\s+\S+\s+yes\s+yes/);
    assert.match(out, /quorum certificate\n\s+signatures:\s+2 \(node_master-1, node_master-2\)/);
    assert.match(out, /entries: 1\n\s+TASK\s+CLASS\s+FEE\s+REFUND/);
    assert.match(out, /tsk_0001\s+compute\s+21,000\s+79,000\s+1/);
  });

  it('sums rewards per account', async () => {
    const { code, out } = await run('rewards', '--epoch', '1');
    assert.equal(code, 0);
    assert.equal(api.requests.at(-1)?.query.toString(), 'epochId=1');
    assert.match(out, /rewards: 3 records, 2 accounts/);
    assert.match(out, /act_op-acme\s+vault_operator, executor\s+2\s+7,000\s+-/);
    assert.match(out, /act_sub-0001\s+data_producer\s+1\s+12,000/);
    assert.match(out, /total\s+19,000/);
  });

  it('closes the epoch and, with --wait, follows its settlement to finality', async () => {
    const { code, out } = await run('epoch', 'close', '--wait');
    assert.equal(code, 0);
    assert.match(out, /closed epoch 2; waiting for its settlement/);
    assert.match(out, /candidate_ready\n.*finalized/);
    assert.match(out, /rewards --epoch 2/);
  });

  it('prints raw JSON with --json', async () => {
    const { code, out } = await run('--json', 'settlement', 'show', '1');
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(out), sampleSettlement());
  });

  it('reports not_found with the catalog fix', async () => {
    const { code, err } = await run('settlement', 'show', '9');
    assert.equal(code, 1);
    assert.match(err, /^error not_found: /);
    assert.match(err, /fix: Check the identifier/);
  });
});
