/**
 * The HTTP edge over a recording fake `MasterApi`: every route's happy path, strict validation
 * (unknown fields, wrong types, sizes, JSON syntax, path ids, headers) that never reaches the api,
 * the mapping of `ApiFailure` codes to the catalog, and masking of unexpected failures.
 */
import assert from 'node:assert/strict';
import { Agent, type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { type ApiErrorCode, ERROR_CATALOG } from '@symphony/api';
import type { FastifyInstance, InjectOptions } from 'fastify';
import pino from 'pino';
import {
  createHttpServer,
  DEFAULT_BODY_LIMIT_BYTES,
  type HttpServerOptions,
} from '../../src/application/http-server.ts';
import { ApiFailure, type MasterApi } from '../../src/application/master-api.ts';
import {
  type Call,
  closeEpochResponse,
  epochList,
  fakeMasterApi,
  health,
  ingestResponse,
  networkView,
  rewardList,
  settlementView,
  taskEvents,
  taskList,
  taskResult,
  taskView,
  validTask,
} from './fake-master-api.ts';

type Json = any;

type Server = { app: FastifyInstance; calls: Call[] };

async function withServer(
  run: (server: Server) => Promise<void>,
  overrides: Partial<MasterApi> = {},
  options: HttpServerOptions = {},
): Promise<void> {
  const { api, calls } = fakeMasterApi(overrides);
  // The HTTP layer alone: request signatures are covered by the admission tests.
  const app = await createHttpServer(api, { authentication: false, ...options });
  try {
    await run({ app, calls });
  } finally {
    await app.close();
  }
}

/** A valid task with `edit` applied to a mutable copy. */
function taskWith(edit: (body: Json) => void): Json {
  const body: Json = structuredClone(validTask());
  edit(body);
  return body;
}

const records = { records: [{ subject: 'act_alice', fields: { amount: '12.50', merchant: 'acme', items: 3 } }] };

/** Asserts a catalog error answer and that nothing reached the api. */
function assertRejected(
  response: { statusCode: number; json(): Json },
  calls: Call[],
  code: ApiErrorCode,
  field?: string,
): Json {
  const body = response.json();
  assert.equal(response.statusCode, ERROR_CATALOG[code].status, JSON.stringify(body));
  assert.equal(body.code, code, JSON.stringify(body));
  assert.equal(typeof body.message, 'string');
  if (field !== undefined) assert.equal(body.details?.field, field, JSON.stringify(body));
  assert.deepEqual(calls, [], 'a rejected request must not reach the MasterApi');
  return body;
}

describe('happy paths', () => {
  it('POST /v1/vaults/:vaultId/records ingests and answers 201', () =>
    withServer(async ({ app, calls }) => {
      const response = await app.inject({ method: 'POST', url: '/v1/vaults/vlt_a/records', payload: records });
      assert.equal(response.statusCode, 201);
      assert.deepEqual(response.json(), ingestResponse);
      assert.deepEqual(calls, [{ method: 'ingest', args: ['vlt_a', records] }]);
    }));

  it('POST /v1/tasks admits a task: 201, without and with an Idempotency-Key', () =>
    withServer(async ({ app, calls }) => {
      const first = await app.inject({ method: 'POST', url: '/v1/tasks', payload: validTask() });
      assert.equal(first.statusCode, 201);
      assert.deepEqual(first.json(), taskView);
      const keyed = await app.inject({
        method: 'POST',
        url: '/v1/tasks',
        payload: validTask(),
        headers: { 'Idempotency-Key': 'order-42:retry.1_x' },
      });
      assert.equal(keyed.statusCode, 201);
      assert.deepEqual(calls, [
        { method: 'submitTask', args: [validTask()] },
        { method: 'submitTask', args: [validTask(), 'order-42:retry.1_x'] },
      ]);
    }));

  it('POST /v1/tasks answers 200 with the existing task on an idempotent replay', () =>
    withServer(
      async ({ app }) => {
        const response = await app.inject({
          method: 'POST',
          url: '/v1/tasks',
          payload: validTask(),
          headers: { 'idempotency-key': 'k1' },
        });
        assert.equal(response.statusCode, 200);
        assert.deepEqual(response.json(), taskView);
      },
      { submitTask: async () => ({ task: taskView, created: false }) },
    ));

  it('accepts every task class the schema defines', () =>
    withServer(async ({ app, calls }) => {
      const specs = [
        { kind: 'parse', source: { vault_id: 'vlt_a', record_id: 'rec_1' }, extractor: 'receipt' },
        {
          kind: 'query',
          filter: [{ attribute: 'amount', op: 'between', value: ['0', '100'] }],
          group_by: ['merchant'],
          aggregates: [{ fn: 'count_distinct_subjects' }],
        },
        {
          kind: 'compute',
          program: { type: 'sandbox', code_hash: 'a'.repeat(64), max_output_bytes: 1024 },
          filter: [],
        },
        {
          kind: 'train',
          model: 'logistic_regression',
          features: ['amount'],
          label: 'churned',
          filter: [],
          hyperparameters: { rounds: 3, local_epochs: 1, learning_rate: '0.1', batch_size: 32 },
          min_vaults_per_round: 1,
        },
      ];
      for (const spec of specs) {
        const body = taskWith((b) => {
          b.class = spec.kind;
          b.spec = spec;
        });
        const response = await app.inject({ method: 'POST', url: '/v1/tasks', payload: body });
        assert.equal(response.statusCode, 201, `${spec.kind}: ${response.body}`);
      }
      assert.equal(calls.length, specs.length);
    }));

  it('GET /v1/tasks/:taskId, /events and /result', () =>
    withServer(async ({ app, calls }) => {
      const task = await app.inject({ url: '/v1/tasks/tsk_1' });
      assert.equal(task.statusCode, 200);
      assert.deepEqual(task.json(), taskView);
      const events = await app.inject({ url: '/v1/tasks/tsk_1/events' });
      assert.equal(events.statusCode, 200);
      assert.deepEqual(events.json(), taskEvents);
      const result = await app.inject({ url: '/v1/tasks/tsk_1/result' });
      assert.equal(result.statusCode, 200);
      assert.deepEqual(result.json(), taskResult);
      assert.deepEqual(calls, [
        { method: 'getTask', args: ['tsk_1'] },
        { method: 'taskEvents', args: ['tsk_1'] },
        { method: 'taskResult', args: ['tsk_1'] },
      ]);
    }));

  it('GET /v1/tasks passes the query with limit as an integer', () =>
    withServer(async ({ app, calls }) => {
      const response = await app.inject({ url: '/v1/tasks?state=dispatched&class=query&limit=25&cursor=c1' });
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.json(), taskList);
      const plain = await app.inject({ url: '/v1/tasks' });
      assert.equal(plain.statusCode, 200);
      assert.deepEqual(calls, [
        { method: 'listTasks', args: [{ state: 'dispatched', class: 'query', limit: 25, cursor: 'c1' }] },
        { method: 'listTasks', args: [{}] },
      ]);
    }));

  it('GET /v1/epochs, POST /v1/epochs/current/close, GET /v1/epochs/:epochId/settlement', () =>
    withServer(async ({ app, calls }) => {
      const epochs = await app.inject({ url: '/v1/epochs' });
      assert.equal(epochs.statusCode, 200);
      assert.deepEqual(epochs.json(), epochList);
      const close = await app.inject({ method: 'POST', url: '/v1/epochs/current/close' });
      assert.equal(close.statusCode, 200);
      assert.deepEqual(close.json(), closeEpochResponse);
      const closeEmpty = await app.inject({ method: 'POST', url: '/v1/epochs/current/close', payload: {} });
      assert.equal(closeEmpty.statusCode, 200);
      const settlement = await app.inject({ url: '/v1/epochs/1/settlement' });
      assert.equal(settlement.statusCode, 200);
      assert.deepEqual(settlement.json(), settlementView);
      assert.deepEqual(calls, [
        { method: 'listEpochs', args: [] },
        { method: 'closeEpoch', args: [] },
        { method: 'closeEpoch', args: [] },
        { method: 'settlement', args: [1] },
      ]);
    }));

  it('GET /v1/rewards with and without filters', () =>
    withServer(async ({ app, calls }) => {
      const filtered = await app.inject({ url: '/v1/rewards?epochId=1&actor=act_bob' });
      assert.equal(filtered.statusCode, 200);
      assert.deepEqual(filtered.json(), rewardList);
      await app.inject({ url: '/v1/rewards' });
      assert.deepEqual(calls, [
        { method: 'rewards', args: [{ epochId: 1, actor: 'act_bob' }] },
        { method: 'rewards', args: [{}] },
      ]);
    }));

  it('GET /v1/network and GET /healthz (200 when ok)', () =>
    withServer(async ({ app }) => {
      const network = await app.inject({ url: '/v1/network' });
      assert.equal(network.statusCode, 200);
      assert.deepEqual(network.json(), networkView);
      const healthz = await app.inject({ url: '/healthz' });
      assert.equal(healthz.statusCode, 200);
      assert.deepEqual(healthz.json(), health);
    }));

  it('GET /healthz answers 503 with the health body when degraded', () =>
    withServer(
      async ({ app }) => {
        const response = await app.inject({ url: '/healthz' });
        assert.equal(response.statusCode, 503);
        assert.deepEqual(response.json(), { status: 'degraded', log_head: 3, checks: { log: 'ok', store: 'failing' } });
      },
      { health: async () => ({ status: 'degraded', log_head: 3, checks: { log: 'ok', store: 'failing' } }) },
    ));

  it('serves the docs UI at /docs', () =>
    withServer(async ({ app }) => {
      const response = await app.inject({ url: '/docs/' });
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /text\/html/);
    }));
});

describe('request ids', () => {
  it('sets x-request-id on every answer, keeping a well-formed incoming one', () =>
    withServer(async ({ app }) => {
      const answers = await Promise.all([
        app.inject({ url: '/v1/network' }),
        app.inject({ url: '/nope' }),
        app.inject({ url: '/v1/tasks/%zz' }),
        app.inject({ method: 'POST', url: '/v1/tasks', payload: '{', headers: { 'content-type': 'application/json' } }),
        app.inject({ url: '/metrics' }),
      ]);
      const ids = answers.map((a) => a.headers['x-request-id']);
      for (const id of ids) assert.match(String(id), /^[0-9a-f-]{36}$/);
      assert.equal(new Set(ids).size, ids.length);

      const kept = await app.inject({ url: '/v1/network', headers: { 'x-request-id': 'client-7f3:a.b_c' } });
      assert.equal(kept.headers['x-request-id'], 'client-7f3:a.b_c');
      const replaced = await app.inject({ url: '/v1/network', headers: { 'x-request-id': 'has spaces' } });
      assert.match(String(replaced.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    }));
});

describe('validation', () => {
  it('rejects an unknown top-level field, naming it', () =>
    withServer(async ({ app, calls }) => {
      const body = taskWith((b) => {
        b.priority = 'high';
      });
      const response = await app.inject({ method: 'POST', url: '/v1/tasks', payload: body });
      const error = assertRejected(response, calls, 'unknown_field', '/priority');
      assert.equal(error.details.in, 'body');
    }));

  it('rejects unknown nested fields, naming them', () =>
    withServer(async ({ app, calls }) => {
      const cases: [Json, string][] = [
        [
          taskWith((b) => {
            b.spec.program.extra = 1;
          }),
          '/spec/program/extra',
        ],
        [
          taskWith((b) => {
            b.budget.currency = 'SYM';
          }),
          '/budget/currency',
        ],
        [
          taskWith((b) => {
            b.spec.filter[0].negate = true;
          }),
          '/spec/filter/0/negate',
        ],
      ];
      for (const [body, field] of cases) {
        const response = await app.inject({ method: 'POST', url: '/v1/tasks', payload: body });
        assertRejected(response, calls, 'unknown_field', field);
      }
      const record = { records: [{ subject: 'act_a', fields: {}, consent: true }] };
      const ingest = await app.inject({ method: 'POST', url: '/v1/vaults/vlt_a/records', payload: record });
      assertRejected(ingest, calls, 'unknown_field', '/records/0/consent');
      const badName = { records: [{ subject: 'act_a', fields: { 'Total Amount': '1' } }] };
      const named = await app.inject({ method: 'POST', url: '/v1/vaults/vlt_a/records', payload: badName });
      assertRejected(named, calls, 'unknown_field', '/records/0/fields/Total Amount');
    }));

  it('rejects unknown query parameters on every route', () =>
    withServer(async ({ app, calls }) => {
      for (const url of ['/v1/tasks?sort=asc', '/v1/network?x=1', '/v1/tasks/tsk_1?verbose=1', '/v1/rewards?page=2']) {
        const response = await app.inject({ url });
        const error = assertRejected(response, calls, 'unknown_field');
        assert.equal(error.details.in, 'querystring');
      }
    }));

  it('rejects a wrong type, naming the field, and never coerces', () =>
    withServer(async ({ app, calls }) => {
      const cases: [Json, string][] = [
        [
          taskWith((b) => {
            b.budget.max_fee = 1000;
          }),
          '/budget/max_fee',
        ],
        [
          taskWith((b) => {
            b.timeout_ms = '600000';
          }),
          '/timeout_ms',
        ],
        [
          taskWith((b) => {
            b.targets.vault_ids = 'vlt_a';
          }),
          '/targets/vault_ids',
        ],
        [
          taskWith((b) => {
            b.spec.program.operator = 'median';
          }),
          '/spec/program/operator',
        ],
        [
          taskWith((b) => {
            b.submitter = 'alice';
          }),
          '/submitter',
        ],
        [
          taskWith((b) => {
            delete b.budget;
          }),
          '/budget',
        ],
      ];
      for (const [body, field] of cases) {
        const response = await app.inject({ method: 'POST', url: '/v1/tasks', payload: body });
        assertRejected(response, calls, 'invalid_request', field);
      }
      const record = { records: [{ subject: 'act_a', fields: { amount: 12.5 } }] };
      const ingest = await app.inject({ method: 'POST', url: '/v1/vaults/vlt_a/records', payload: record });
      const error = assertRejected(ingest, calls, 'invalid_request', '/records/0/fields/amount');
      assert.equal(error.details.reason, 'must be integer'); // decimals travel as strings
    }));

  it('passes the body to the api exactly as sent: no removed fields, no defaults, no coercion', () =>
    withServer(async ({ app, calls }) => {
      const body = { records: [{ subject: 'act_a', fields: { zip: '01234', flag: 'true', n: 7, none: null } }] };
      const response = await app.inject({ method: 'POST', url: '/v1/vaults/vlt_a/records', payload: body });
      assert.equal(response.statusCode, 201);
      assert.deepEqual(calls[0]?.args[1], body);
    }));

  it('rejects an oversized body with 413 and the limit', () =>
    withServer(
      async ({ app, calls }) => {
        const big = { records: [{ subject: 'act_a', fields: { note: 'x'.repeat(2_000) } }] };
        const response = await app.inject({ method: 'POST', url: '/v1/vaults/vlt_a/records', payload: big });
        const error = assertRejected(response, calls, 'body_too_large');
        assert.deepEqual(error.details, { limit_bytes: 1_024 });
      },
      {},
      { bodyLimitBytes: 1_024 },
    ));

  it('enforces the 5 MiB default body limit', () =>
    withServer(async ({ app, calls }) => {
      assert.equal(DEFAULT_BODY_LIMIT_BYTES, 5 * 1024 * 1024);
      const note = 'x'.repeat(1_000);
      const many = { records: Array.from({ length: 5_300 }, () => ({ subject: 'act_a', fields: { note } })) };
      const response = await app.inject({ method: 'POST', url: '/v1/vaults/vlt_a/records', payload: many });
      const error = assertRejected(response, calls, 'body_too_large');
      assert.equal(error.details.limit_bytes, DEFAULT_BODY_LIMIT_BYTES);
    }));

  it('rejects malformed and empty JSON with reason malformed_json', () =>
    withServer(async ({ app, calls }) => {
      for (const payload of ['{"class": "compute",', '{class: 1}', "{'a': 1}", '', '{"a": 1}}']) {
        const response = await app.inject({
          method: 'POST',
          url: '/v1/tasks',
          payload,
          headers: { 'content-type': 'application/json' },
        });
        const error = assertRejected(response, calls, 'invalid_request');
        assert.equal(error.details.reason, 'malformed_json', payload);
      }
    }));

  it('rejects prototype-poisoning JSON without calling the api', () =>
    withServer(async ({ app, calls }) => {
      const payload = JSON.stringify(validTask()).replace('{', '{"__proto__":{"admin":true},');
      const response = await app.inject({
        method: 'POST',
        url: '/v1/tasks',
        payload,
        headers: { 'content-type': 'application/json' },
      });
      assertRejected(response, calls, 'invalid_request');
    }));

  it('rejects bodies that are not JSON objects or not JSON at all', () =>
    withServer(async ({ app, calls }) => {
      for (const payload of ['[]', 'null', '"task"', '42']) {
        const response = await app.inject({
          method: 'POST',
          url: '/v1/tasks',
          payload,
          headers: { 'content-type': 'application/json' },
        });
        assertRejected(response, calls, 'invalid_request', '');
      }
      const text = await app.inject({
        method: 'POST',
        url: '/v1/tasks',
        payload: 'class=compute',
        headers: { 'content-type': 'text/plain' },
      });
      assert.equal(assertRejected(text, calls, 'invalid_request').details.reason, 'unsupported_media_type');
      const none = await app.inject({ method: 'POST', url: '/v1/tasks' });
      assertRejected(none, calls, 'invalid_request', '');
    }));

  it('rejects path ids that do not match their pattern', () =>
    withServer(async ({ app, calls }) => {
      const cases: [string, string, string][] = [
        ['GET', '/v1/tasks/TSK_1', '/taskId'],
        ['GET', '/v1/tasks/vlt_a/events', '/taskId'],
        ['GET', '/v1/tasks/tsk_/result', '/taskId'],
        ['POST', '/v1/vaults/tsk_1/records', '/vaultId'],
        ['GET', '/v1/epochs/abc/settlement', '/epochId'],
        ['GET', '/v1/epochs/0/settlement', '/epochId'],
        ['GET', '/v1/epochs/1.5/settlement', '/epochId'],
        ['GET', '/v1/epochs/-1/settlement', '/epochId'],
      ];
      for (const [method, url, field] of cases) {
        const response = await app.inject(
          method === 'POST' ? { method: 'POST', url, payload: records } : { method: 'GET', url },
        );
        const error = assertRejected(response, calls, 'invalid_request', field);
        assert.equal(error.details.in, 'params', url);
      }
      const long = await app.inject({ url: `/v1/tasks/tsk_${'a'.repeat(200)}` });
      assertRejected(long, calls, 'invalid_request');
      const undecodable = await app.inject({ url: '/v1/tasks/%E0%A4%A' });
      assertRejected(undecodable, calls, 'invalid_request');
    }));

  it('validates query parameters, converting only canonical integers', () =>
    withServer(async ({ app, calls }) => {
      const cases: [string, string][] = [
        ['/v1/tasks?limit=abc', '/limit'],
        ['/v1/tasks?limit=0', '/limit'],
        ['/v1/tasks?limit=501', '/limit'],
        ['/v1/tasks?limit=1e2', '/limit'],
        ['/v1/tasks?limit=5&limit=6', '/limit'],
        ['/v1/tasks?state=running', '/state'],
        ['/v1/tasks?class=mine', '/class'],
        [`/v1/tasks?cursor=${'c'.repeat(129)}`, '/cursor'],
        ['/v1/rewards?epochId=first', '/epochId'],
        ['/v1/rewards?actor=bob', '/actor'],
      ];
      for (const [url, field] of cases) {
        const error = assertRejected(await app.inject({ url }), calls, 'invalid_request', field);
        assert.equal(error.details.in, 'querystring');
      }
    }));

  it('validates the Idempotency-Key header', () =>
    withServer(async ({ app, calls }) => {
      for (const key of ['', 'has space', 'k'.repeat(129), 'clé', 'a/b', 'a,b']) {
        const response = await app.inject({
          method: 'POST',
          url: '/v1/tasks',
          payload: validTask(),
          headers: { 'idempotency-key': key },
        });
        const error = assertRejected(response, calls, 'invalid_request', '/idempotency-key');
        assert.equal(error.details.in, 'headers');
      }
      const longest = 'K'.repeat(128);
      const ok = await app.inject({
        method: 'POST',
        url: '/v1/tasks',
        payload: validTask(),
        headers: { 'idempotency-key': longest },
      });
      assert.equal(ok.statusCode, 201);
      assert.deepEqual(calls, [{ method: 'submitTask', args: [validTask(), longest] }]);
    }));

  it('rejects a body on POST /v1/epochs/current/close', () =>
    withServer(async ({ app, calls }) => {
      const field = await app.inject({ method: 'POST', url: '/v1/epochs/current/close', payload: { epoch: 3 } });
      assertRejected(field, calls, 'unknown_field', '/epoch');
      const array = await app.inject({ method: 'POST', url: '/v1/epochs/current/close', payload: [1] });
      assertRejected(array, calls, 'invalid_request', '');
    }));

  it('answers unknown routes and methods with 404 not_found', () =>
    withServer(async ({ app, calls }) => {
      for (const [method, url] of [
        ['GET', '/v2/tasks'],
        ['GET', '/'],
        ['DELETE', '/v1/tasks/tsk_1'],
        ['GET', '/v1/epochs/current/close'],
        ['PUT', '/v1/tasks'],
      ] as const) {
        assertRejected(await app.inject({ method, url }), calls, 'not_found');
      }
    }));
});

describe('failures from the api', () => {
  const failing = (code: ApiErrorCode, details?: Record<string, unknown>) => async () => {
    throw new ApiFailure(code, `refused: ${code}`, details);
  };

  const cases: {
    code: ApiErrorCode;
    request: InjectOptions;
    overrides: Partial<MasterApi>;
  }[] = [
    {
      code: 'not_found',
      request: { method: 'GET', url: '/v1/tasks/tsk_404' },
      overrides: { getTask: () => undefined },
    },
    {
      code: 'not_found',
      request: { method: 'GET', url: '/v1/tasks/tsk_404/events' },
      overrides: { taskEvents: async () => undefined },
    },
    {
      code: 'not_found',
      request: { method: 'GET', url: '/v1/tasks/tsk_404/result' },
      overrides: { taskResult: failing('not_found') },
    },
    {
      code: 'not_found',
      request: { method: 'GET', url: '/v1/epochs/99/settlement' },
      overrides: { settlement: () => undefined },
    },
    {
      code: 'unknown_vault',
      request: { method: 'POST', url: '/v1/vaults/vlt_zz/records', payload: records },
      overrides: { ingest: failing('unknown_vault') },
    },
    {
      code: 'invalid_records',
      request: { method: 'POST', url: '/v1/vaults/vlt_a/records', payload: records },
      overrides: { ingest: failing('invalid_records', { index: 0, reason: 'unknown_attribute' }) },
    },
    {
      code: 'idempotency_conflict',
      request: { method: 'POST', url: '/v1/tasks', payload: validTask() },
      overrides: { submitTask: failing('idempotency_conflict') },
    },
    {
      code: 'task_refused',
      request: { method: 'POST', url: '/v1/tasks', payload: validTask() },
      overrides: { submitTask: failing('task_refused', { reason: 'semantic_version_unpublished' }) },
    },
    {
      code: 'result_not_ready',
      request: { method: 'GET', url: '/v1/tasks/tsk_1/result' },
      overrides: { taskResult: failing('result_not_ready') },
    },
    {
      code: 'epoch_refused',
      request: { method: 'POST', url: '/v1/epochs/current/close' },
      overrides: { closeEpoch: failing('epoch_refused', { reason: 'settlement_in_progress' }) },
    },
    {
      code: 'unavailable',
      request: { method: 'POST', url: '/v1/tasks', payload: validTask() },
      overrides: { submitTask: failing('unavailable') },
    },
    { code: 'unavailable', request: { method: 'GET', url: '/healthz' }, overrides: { health: failing('unavailable') } },
  ];

  for (const { code, request, overrides } of cases) {
    it(`${code} from ${request.method} ${String(request.url)} -> ${ERROR_CATALOG[code].status}`, () =>
      withServer(async ({ app, calls }) => {
        const response = await app.inject(request);
        const body = response.json();
        assert.equal(response.statusCode, ERROR_CATALOG[code].status, response.body);
        assert.equal(body.code, code);
        assert.equal(typeof body.message, 'string');
        assert.equal(calls.length, 1);
        // Details an ApiFailure carries are passed through.
        if (code === 'task_refused') assert.deepEqual(body.details, { reason: 'semantic_version_unpublished' });
        if (code === 'invalid_records') assert.deepEqual(body.details, { index: 0, reason: 'unknown_attribute' });
        if (code === 'unavailable') assert.equal(response.headers['retry-after'], '1');
        else assert.equal(response.headers['retry-after'], undefined);
      }, overrides));
  }

  it('unavailable carries the Retry-After the api asks for', () =>
    withServer(
      async ({ app }) => {
        const response = await app.inject({ url: '/v1/tasks/tsk_1/result' });
        assert.equal(response.statusCode, 503);
        assert.equal(response.headers['retry-after'], '30');
      },
      { taskResult: failing('unavailable', { retry_after_seconds: 30 }) },
    ));
});

describe('unexpected failures', () => {
  const marker = 'SECRET-RECORD-CONTENT-7c1d';

  function assertInternal(response: { statusCode: number; body: string; headers: Record<string, unknown> }): void {
    assert.equal(response.statusCode, 500);
    const body = JSON.parse(response.body);
    assert.equal(body.code, 'internal');
    assert.deepEqual(Object.keys(body).sort(), ['code', 'message']);
    assert.ok(!response.body.includes(marker), 'the error message must not reach the client');
    assert.ok(!JSON.stringify(response.headers).includes(marker));
    assert.ok(!/at .*\.ts:\d+/.test(response.body), 'no stack');
  }

  it('a thrown Error becomes a generic 500 without its message', () =>
    withServer(
      async ({ app }) => {
        assertInternal(await app.inject({ method: 'POST', url: '/v1/tasks', payload: validTask() }));
        assertInternal(await app.inject({ url: '/v1/tasks/tsk_1' }));
        assertInternal(await app.inject({ url: '/metrics' }));
      },
      {
        submitTask: async () => {
          throw new Error(`duplicate key value violates unique constraint: ${marker}`);
        },
        getTask: () => {
          throw new TypeError(`cannot read ${marker}`);
        },
        metrics: () => {
          throw new Error(marker);
        },
      },
    ));

  it('errors that look like HTTP errors, non-Error throws and ApiFailure(internal) are masked too', () =>
    withServer(
      async ({ app }) => {
        assertInternal(await app.inject({ url: '/v1/epochs' }));
        assertInternal(await app.inject({ url: '/v1/network' }));
        assertInternal(await app.inject({ url: '/v1/rewards' }));
      },
      {
        listEpochs: () => {
          throw Object.assign(new Error(marker), { statusCode: 400, code: 'ECONNRESET', validation: [] });
        },
        network: () => {
          throw marker;
        },
        rewards: () => {
          throw new ApiFailure('internal', marker, { marker });
        },
      },
    ));

  it('an answer that does not fit its response schema becomes a generic 500', () =>
    withServer(
      async ({ app }) => {
        assertInternal(await app.inject({ url: '/v1/tasks/tsk_1' }));
      },
      { getTask: () => ({ ...taskView, task_id: undefined, note: marker }) as never },
    ));

  it('logs method, route, status, duration and request id only', async () => {
    const lines: Json[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const logger = pino({ base: null, timestamp: false }, sink);
    await withServer(
      async ({ app }) => {
        const planted = { records: [{ subject: 'act_a', fields: { note: marker } }] };
        await app.inject({ method: 'POST', url: '/v1/vaults/vlt_a/records', payload: planted });
        await app.inject({ method: 'POST', url: '/v1/tasks', payload: taskWith((b) => (b[marker] = 1)) });
        await app.inject({ url: `/v1/rewards?actor=act_${marker.toLowerCase()}` });
        await app.inject({ url: '/v1/tasks/tsk_1', headers: { 'x-request-id': 'req-1' } });
      },
      {
        getTask: () => {
          throw new RangeError(marker);
        },
      },
      { logger },
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(lines.length, 4);
    for (const line of lines) {
      assert.ok(!JSON.stringify(line).includes(marker), JSON.stringify(line));
      assert.ok(!JSON.stringify(line).toLowerCase().includes(marker.toLowerCase()));
      const allowed = ['level', 'msg', 'request_id', 'method', 'route', 'status', 'duration_ms', 'error'];
      for (const key of Object.keys(line)) assert.ok(allowed.includes(key), `unexpected log key ${key}`);
      assert.equal(typeof line.duration_ms, 'number');
    }
    assert.deepEqual(
      lines.map((l) => [l.method, l.route, l.status]),
      [
        ['POST', '/v1/vaults/:vaultId/records', 201],
        ['POST', '/v1/tasks', 400],
        ['GET', '/v1/rewards', 200],
        ['GET', '/v1/tasks/:taskId', 500],
      ],
    );
    assert.equal(lines[3].request_id, 'req-1');
    assert.equal(lines[3].error, 'RangeError');
  });
});

describe('shutdown', () => {
  it('answers a request arriving on a kept-alive connection while closing with 503 unavailable', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { api, calls } = fakeMasterApi({
      closeEpoch: async () => {
        await gate;
        return closeEpochResponse;
      },
    });
    const app = await createHttpServer(api, { authentication: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (method: string, path: string) =>
      new Promise<{ status: number; body: string; headers: IncomingHttpHeaders }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method, path, agent }, (res) => {
          let body = '';
          res.on('data', (chunk) => {
            body += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      const inFlight = send('POST', '/v1/epochs/current/close');
      while (calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const closing = app.close();
      while (app.server.listening) await new Promise((resolve) => setTimeout(resolve, 5));
      const queued = send('GET', '/v1/network'); // waits for the busy socket, then arrives during the drain
      release();
      assert.equal((await inFlight).status, 200);
      const late = await queued;
      assert.equal(late.status, 503);
      assert.equal(JSON.parse(late.body).code, 'unavailable');
      assert.equal(late.headers['retry-after'], '1');
      assert.ok(late.headers['x-request-id']);
      assert.deepEqual(
        calls.map((c) => c.method),
        ['closeEpoch'],
      );
      await closing;
    } finally {
      agent.destroy();
      await app.close();
    }
  });
});
