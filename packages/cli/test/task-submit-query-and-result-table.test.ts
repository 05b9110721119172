import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../src/program.ts';
import { argv, captureIo } from './support/capture-io.ts';
import { type FakeApi, startFakeApi } from './support/fake-api.ts';
import { sampleTask } from './support/fixtures.ts';

const specFile = new URL('../../../examples/queries/coffee-by-city.json', import.meta.url).pathname;
const output = {
  rows: [
    {
      group: { city: 'Singapore' },
      values: [
        { fn: 'count_distinct_subjects', value: 41, bound99: 182 },
        { fn: 'sum', attribute: 'total_amount', value: '1203.5', bound99: '36400' },
      ],
    },
    {
      group: { city: 'Johor Bahru' },
      values: [
        { fn: 'count_distinct_subjects', value: 12, bound99: 182 },
        { fn: 'sum', attribute: 'total_amount', value: '310', bound99: '36400' },
      ],
    },
  ],
};

describe('symphony task submit --query, task accept, and a query result as a table', () => {
  let api: FakeApi;
  before(async () => {
    api = await startFakeApi({
      'POST /v1/tasks': () => ({ status: 201, body: sampleTask('accepted') }),
      'GET /v1/tasks/tsk_0001': () => ({ body: sampleTask('awaiting_settlement') }),
      'GET /v1/tasks/tsk_0001/events': () => ({ body: { task_id: 'tsk_0001', events: [] } }),
      'POST /v1/tasks/tsk_0001/participation': (request) => ({
        status: 201,
        body: { task_id: 'tsk_0001', ...(request.body as object), accepted: 3 },
      }),
      'GET /v1/tasks/tsk_0001/result': () => ({
        body: {
          task_id: 'tsk_0001',
          state: 'awaiting_settlement',
          output,
          output_hash: 'a'.repeat(64),
          receipt_hash: 'b'.repeat(64),
          verified: true,
        },
      }),
    });
  });
  after(() => api.close());

  it('sends the spec with exactly the attributes it reads, to every --vault', async () => {
    const io = captureIo();
    const code = await runCli(
      argv(
        '--api',
        api.url,
        'task',
        'submit',
        '--query',
        specFile,
        '--vault',
        'vlt_lioncity-app',
        '--vault',
        'vlt_straits-wallet',
        '--submitter',
        'act_brand',
      ),
      io,
    );
    assert.equal(code, 0, io.err());
    const body = api.requests.at(-1)?.body as {
      class: string;
      targets: { vault_ids: string[] };
      semantic: { attributes: string[] };
      spec: { kind: string; group_by: string[] };
    };
    assert.equal(body.class, 'query');
    assert.deepEqual(body.targets.vault_ids, ['vlt_lioncity-app', 'vlt_straits-wallet']);
    assert.deepEqual(body.semantic.attributes, ['category', 'city', 'total_amount']);
    assert.equal(body.spec.kind, 'query');
    assert.deepEqual(body.spec.group_by, ['city']);
  });

  it('refuses --query without a target Vault, with exit 2, before calling the API', async () => {
    const before = api.requests.length;
    const io = captureIo();
    const code = await runCli(
      argv('--api', api.url, 'task', 'submit', '--query', specFile, '--submitter', 'act_brand'),
      io,
    );
    assert.equal(code, 2);
    assert.match(io.err(), /--vault is required with --query/);
    assert.equal(api.requests.length, before);
  });

  it('prints a released query result as a table with the 99% bounds', async () => {
    const io = captureIo();
    assert.equal(await runCli(argv('--api', api.url, 'task', 'show', 'tsk_0001'), io), 0, io.err());
    const text = io.out();
    assert.match(text, /city\s+subjects\s+sum\(total_amount\)\s+±99% subjects\s+±99% sum\(total_amount\)/);
    assert.match(text, /Singapore\s+41\s+1203\.5\s+182\s+36400/);
    assert.match(text, /Johor Bahru\s+12\s+310/);
  });

  it('accepts a participant query on behalf of a subject through its Vault', async () => {
    const io = captureIo();
    const code = await runCli(
      argv('--api', api.url, 'task', 'accept', 'tsk_0001', '--vault', 'vlt_lioncity-app', '--subject', 'act_sub-0001'),
      io,
    );
    assert.equal(code, 0, io.err());
    assert.deepEqual(api.requests.at(-1)?.body, { vault_id: 'vlt_lioncity-app', subject: 'act_sub-0001' });
    assert.match(io.out(), /act_sub-0001 accepted tsk_0001 through vlt_lioncity-app \(3 accepted so far\)/);
  });
});
