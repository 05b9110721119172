import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiClient, DEFAULT_API_URL } from '../src/api-client.ts';
import { ApiClientError } from '../src/api-client-error.ts';
import { type FakeApi, refusedUrl, startFakeApi } from './support/fake-api.ts';
import { sampleRequest, sampleTask } from './support/fixtures.ts';

describe('ApiClient', () => {
  let api: FakeApi;
  let client: ApiClient;

  before(async () => {
    api = await startFakeApi({
      'POST /v1/tasks': (request) =>
        request.headers['idempotency-key'] === 'used-with-other-body'
          ? {
              status: 409,
              body: {
                code: 'idempotency_conflict',
                message: 'the Idempotency-Key was used with a different body',
                details: { field: 'Idempotency-Key', task_id: 'tsk_0001' },
              },
            }
          : { status: request.headers['idempotency-key'] === 'replay' ? 200 : 201, body: sampleTask() },
      'GET /v1/tasks': () => ({ body: { tasks: [sampleTask()], next_cursor: 'c2' } }),
      'GET /v1/tasks/tsk_0001/result': () => ({
        status: 409,
        body: { code: 'result_not_ready', message: 'tsk_0001 has no released result yet' },
      }),
      'POST /v1/vaults/vlt_alpha/records': () => ({
        status: 422,
        body: {
          code: 'invalid_records',
          message: 'record 3 does not fit',
          details: { index: 3, field: 'fields.total_amount' },
        },
      }),
      'GET /v1/epochs': () => ({ status: 502, text: '<html>bad gateway</html>' }),
      'GET /healthz': () => ({ status: 503, body: { status: 'degraded', log_head: 4, checks: { log: 'failing' } } }),
      'GET /v1/rewards': () => ({ body: { rewards: [], total: '0' } }),
    });
    client = new ApiClient({ baseUrl: `${api.url}/` });
  });
  after(() => api.close());

  it('defaults to the local node and drops a trailing slash', () => {
    assert.equal(new ApiClient().baseUrl, DEFAULT_API_URL);
    assert.equal(client.baseUrl, api.url);
  });

  it('sends the Idempotency-Key header and the JSON body, and tells created from replayed', async () => {
    const created = await client.submitTask(sampleRequest(), { idempotencyKey: 'first' });
    assert.equal(created.created, true);
    assert.equal(created.task.task_id, 'tsk_0001');
    const seen = api.requests.at(-1);
    assert.equal(seen?.headers['idempotency-key'], 'first');
    assert.equal(seen?.headers['content-type'], 'application/json');
    assert.deepEqual(seen?.body, sampleRequest());
    const replayed = await client.submitTask(sampleRequest(), { idempotencyKey: 'replay' });
    assert.equal(replayed.created, false);
    await client.submitTask(sampleRequest());
    assert.equal(api.requests.at(-1)?.headers['idempotency-key'], undefined);
  });

  it('turns an error body into an ApiClientError with code, status, details, field and fix', async () => {
    await assert.rejects(client.submitTask(sampleRequest(), { idempotencyKey: 'used-with-other-body' }), (error) => {
      assert.ok(error instanceof ApiClientError);
      assert.equal(error.code, 'idempotency_conflict');
      assert.equal(error.status, 409);
      assert.equal(error.message, 'the Idempotency-Key was used with a different body');
      assert.deepEqual(error.details, { field: 'Idempotency-Key', task_id: 'tsk_0001' });
      assert.equal(error.field, 'Idempotency-Key');
      assert.match(error.hint ?? '', /new Idempotency-Key/);
      return true;
    });
    await assert.rejects(client.ingestRecords('vlt_alpha', { records: [{ subject: 'act_a', fields: {} }] }), {
      name: 'ApiClientError',
      code: 'invalid_records',
      status: 422,
      field: 'fields.total_amount',
    });
    await assert.rejects(client.taskResult('tsk_0001'), { code: 'result_not_ready', status: 409 });
  });

  it('reports an answer without an error body as bad_response with the status', async () => {
    await assert.rejects(client.listEpochs(), (error) => {
      assert.ok(error instanceof ApiClientError);
      assert.equal(error.code, 'bad_response');
      assert.equal(error.status, 502);
      assert.match(error.message, /GET \/v1\/epochs answered 502/);
      assert.equal(error.hint, undefined);
      return true;
    });
  });

  it('builds query strings only from the given filters', async () => {
    const page = await client.listTasks({ state: 'dispatched', class: 'compute', limit: 10 });
    assert.equal(page.next_cursor, 'c2');
    const seen = api.requests.at(-1);
    assert.equal(seen?.path, '/v1/tasks');
    assert.deepEqual(Object.fromEntries(seen?.query ?? []), { state: 'dispatched', class: 'compute', limit: '10' });
    await client.rewards({ epochId: 3 });
    assert.equal(api.requests.at(-1)?.query.toString(), 'epochId=3');
    await client.rewards();
    assert.equal(api.requests.at(-1)?.query.toString(), '');
  });

  it('returns the body of a degraded health answer (503) instead of throwing', async () => {
    const health = await client.health();
    assert.equal(health.status, 'degraded');
  });

  it('says how to start a node when the connection is refused', async () => {
    const url = await refusedUrl();
    await assert.rejects(new ApiClient({ baseUrl: url }).network(), (error) => {
      assert.ok(error instanceof ApiClientError);
      assert.equal(error.code, 'connection_refused');
      assert.equal(error.status, 0);
      assert.equal(error.message, `no Symphony node answers at ${url}: start one with \`symphony up\``);
      return true;
    });
  });

  it('reports a timeout', async () => {
    const slow = await startFakeApi({
      'GET /v1/network': () => new Promise((resolve) => setTimeout(() => resolve({ body: {} }), 500)),
    });
    try {
      await assert.rejects(new ApiClient({ baseUrl: slow.url, timeoutMs: 50 }).network(), {
        code: 'timeout',
        message: `the Symphony node at ${slow.url} did not answer within 50 ms`,
      });
    } finally {
      await slow.close();
    }
  });
});
