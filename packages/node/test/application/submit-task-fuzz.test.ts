/**
 * Fuzzing `POST /v1/tasks` with arbitrary JSON, arbitrary text and mutations of valid bodies, all
 * signed (RFC 9421) by a registered actor: never a 5xx, and `submitTask` is called exactly when the
 * body is schema-valid (decided independently with typebox's compiler against `SubmitTaskRequest`),
 * with the body as sent and the authenticated caller. Hostile signatures (missing, mangled, replayed,
 * stale, another actor's, a body changed after signing) never reach the api: 401, nothing admitted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SubmitTaskRequest } from '@symphony/api';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import Compile from 'typebox/compile';
import { createHttpServer } from '../../src/application/http-server.ts';
import { actorKey, signedHeaders } from '../support/signed-requests.ts';
import { type Call, fakeMasterApi, validTask } from './fake-master-api.ts';

type Json = any;

const schema = Compile(SubmitTaskRequest);

/** The registered actor that signs the fuzzed requests (the submitter of `validTask()`). */
const alice = actorKey('act_alice');
const directory = {
  actor: (id: string) =>
    id === alice.keyid ? { roles: ['task_submitter'], public_key: alice.publicKeyHex } : undefined,
  vaultOperator: () => undefined,
};

/** Valid bodies of each task class, the seeds of the mutations. */
const SEEDS: Json[] = [
  validTask(),
  {
    ...validTask(),
    class: 'query',
    timeout_ms: 60_000,
    grant_ids: ['grt_1'],
    spec: {
      kind: 'query',
      filter: [{ attribute: 'amount', op: 'between', value: ['0', '100'] }],
      group_by: ['merchant'],
      aggregates: [{ fn: 'mean', attribute: 'amount', clamp: { lower: '0', upper: '500' } }],
      audience: { max_subjects: 1000 },
    },
  },
  {
    ...validTask(),
    class: 'parse',
    spec: { kind: 'parse', source: { vault_id: 'vlt_a', record_id: 'rec_9' }, extractor: 'document' },
  },
  {
    ...validTask(),
    class: 'train',
    spec: {
      kind: 'train',
      model: 'mlp',
      features: ['amount', 'items'],
      label: 'churned',
      filter: [],
      hyperparameters: { rounds: 2, local_epochs: 1, learning_rate: '0.05', batch_size: 16, hidden_units: 8 },
      min_vaults_per_round: 1,
    },
  },
];

/** Values that often keep a body valid, so mutants explore both sides of the schema. */
const PLAUSIBLE: Json[] = [
  'act_bob',
  'vlt_b',
  'rec_2',
  'grt_2',
  'amount',
  'merchant',
  '2.0.0',
  '0',
  '250',
  'analytics',
  'research',
  'compute',
  'query',
  'parse',
  'train',
  'sum',
  'count',
  'histogram',
  'builtin',
  'sandbox',
  'eq',
  'in',
  'receipt',
  'mlp',
  1,
  0,
  -1,
  3.5,
  1000,
  600_000,
  true,
  null,
  [],
  {},
  ['vlt_a', 'vlt_b'],
  ['amount'],
  'x'.repeat(300),
  'tsk_a/../b',
];

type Path = (string | number)[];

function pathsOf(value: Json, prefix: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const children = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...children.flatMap((key) => pathsOf(value[key], [...prefix, key]))];
}

function parentAndKey(root: Json, path: Path): [Json, string | number] | undefined {
  if (path.length === 0) return undefined;
  const parent = path.slice(0, -1).reduce((node, key) => node[key], root);
  return [parent, path.at(-1) as string | number];
}

type Mutation =
  | { kind: 'set'; at: number; value: Json }
  | { kind: 'delete'; at: number }
  | { kind: 'add'; at: number; key: string; value: Json };

const jsonValue = fc.oneof(fc.constantFrom(...PLAUSIBLE), fc.jsonValue({ maxDepth: 2 }));
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: jsonValue }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('add' as const),
    at: fc.nat(),
    key: fc.oneof(fc.constantFrom('extra', 'kind', 'type', 'attribute', 'timeout_ms', 'grant_ids'), fc.string()),
    value: jsonValue,
  }),
);

function mutate(seed: Json, mutations: readonly Mutation[]): Json {
  let body: Json = structuredClone(seed);
  // Each value applied is a copy: fast-check may hand the same object to two mutations (a set
  // value then added into itself would be a cycle) and reuses generated values while shrinking.
  for (const generated of mutations) {
    const m = 'value' in generated ? { ...generated, value: structuredClone(generated.value) } : generated;
    const paths = pathsOf(body);
    const path = paths[m.at % paths.length] ?? [];
    const target = parentAndKey(body, path);
    if (m.kind === 'add') {
      const node = path.reduce((n: Json, key) => n[key], body);
      if (typeof node === 'object' && node !== null && !Array.isArray(node)) {
        Object.defineProperty(node, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
      } else if (Array.isArray(node)) node.push(m.value);
    } else if (target === undefined) {
      body = m.kind === 'set' ? m.value : undefined;
    } else {
      const [parent, key] = target;
      if (m.kind === 'set') parent[key] = m.value;
      else if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    }
  }
  return body;
}

describe('POST /v1/tasks under fuzzing', () => {
  let app: FastifyInstance;
  let calls: Call[];
  const seen = { valid: 0, invalid: 0 };

  before(async () => {
    const fake = fakeMasterApi();
    calls = fake.calls;
    app = await createHttpServer(fake.api, {
      authentication: { directory, rateLimit: { capacity: 1e9, refillPerSecond: 1e9 } },
    });
  });
  after(async () => {
    await app.close();
    // The generators must exercise both outcomes, or the property says little.
    assert.ok(seen.valid > 20 && seen.invalid > 100, JSON.stringify(seen));
  });

  /** Posts `text` and checks the invariants; `headers` may add an Idempotency-Key. */
  async function check(text: string | undefined, headers: Record<string, string> = {}, keyValid = true) {
    calls.length = 0;
    const response = await app.inject({
      method: 'POST',
      url: '/v1/tasks',
      ...(text === undefined ? {} : { payload: text }),
      headers: {
        ...(text === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
        ...signedHeaders(alice, 'POST', '/v1/tasks', text),
      },
    });
    assert.ok(response.statusCode < 500, `${response.statusCode} for ${text?.slice(0, 300)}`);
    let parsed: Json;
    let parses = text !== undefined;
    try {
      parsed = text === undefined ? undefined : JSON.parse(text);
    } catch {
      parses = false;
    }
    const valid = parses && keyValid && schema.Check(parsed);
    const submitted = calls.filter((c) => c.method === 'submitTask');
    if (valid) {
      seen.valid += 1;
      assert.equal(response.statusCode, 201, response.body);
      assert.equal(submitted.length, 1);
      assert.deepEqual(submitted[0]?.args[0], parsed);
      assert.deepEqual(submitted[0]?.args[2], { actor_id: alice.keyid, roles: ['task_submitter'] });
    } else {
      seen.invalid += 1;
      assert.deepEqual(calls, [], `the api was called for ${text?.slice(0, 300)}`);
      assert.ok([400, 413].includes(response.statusCode), `${response.statusCode}: ${response.body}`);
      const body = response.json();
      assert.ok(['invalid_request', 'unknown_field', 'body_too_large'].includes(body.code), response.body);
      const field = body.details?.field;
      if (field !== undefined) assert.ok(field === '' || field.startsWith('/'), response.body);
    }
  }

  it('arbitrary JS values as JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), async (value) => check(JSON.stringify(value))),
      { numRuns: 300 },
    );
  });

  it('arbitrary JSON text and arbitrary text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.json(), fc.string(), fc.string({ unit: 'binary' })), async (text) => check(text)),
      { numRuns: 300 },
    );
  });

  it('objects with the right and wrong keys', async () => {
    const keys = [...Object.keys(SubmitTaskRequest.properties), 'extra'];
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...keys), jsonValue), async (value) =>
        check(JSON.stringify(value)),
      ),
      { numRuns: 200 },
    );
  });

  it('mutations of valid bodies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(SEEDS.length - 1), fc.array(mutation, { maxLength: 3 }), async (seed, mutations) => {
        const body = mutate(SEEDS[seed], mutations);
        await check(body === undefined ? undefined : JSON.stringify(body));
      }),
      { numRuns: 800 },
    );
  });

  it('arbitrary Idempotency-Key headers on a valid body', async () => {
    const keyPattern = /^[A-Za-z0-9_.:-]{1,128}$/;
    const key = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9_.:-]{1,140}$/),
      fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,130}[\x21-\x7e])?$/),
    );
    await fc.assert(
      fc.asyncProperty(key, async (k) =>
        check(JSON.stringify(validTask()), { 'idempotency-key': k }, keyPattern.test(k)),
      ),
      { numRuns: 200 },
    );
  });

  it('hostile signatures never reach the api: 401, nothing admitted', async () => {
    const body = JSON.stringify(validTask());
    const used = signedHeaders(alice, 'POST', '/v1/tasks', body);
    const mallory = { ...actorKey('act_mallory'), keyid: alice.keyid };
    const header = fc.constantFrom('signature', 'signature-input', 'content-digest');
    const attack = fc.oneof(
      fc.record({ kind: fc.constant('drop' as const), header }),
      fc.record({ kind: fc.constant('set' as const), header, value: fc.string({ maxLength: 200 }) }),
      fc.record({ kind: fc.constant('flip' as const), header, at: fc.nat(300) }),
      fc.record({ kind: fc.constant('replay' as const) }),
      fc.record({ kind: fc.constant('stale' as const), seconds: fc.integer({ min: 301, max: 10 ** 9 }) }),
      fc.record({ kind: fc.constant('impostor' as const) }),
      fc.record({ kind: fc.constant('tamper' as const), extra: fc.string({ minLength: 1, maxLength: 20 }) }),
    );
    await fc.assert(
      fc.asyncProperty(attack, async (a) => {
        calls.length = 0;
        let text = body;
        let headers: Record<string, string> = signedHeaders(alice, 'POST', '/v1/tasks', body);
        if (a.kind === 'drop') delete headers[a.header];
        else if (a.kind === 'set') headers[a.header] = a.value.replace(/[\r\n]/g, '');
        else if (a.kind === 'flip') {
          const v = headers[a.header]!;
          const i = a.at % v.length;
          headers[a.header] = v.slice(0, i) + (v[i] === 'A' ? 'B' : 'A') + v.slice(i + 1);
        } else if (a.kind === 'replay') headers = used;
        else if (a.kind === 'stale')
          headers = signedHeaders(alice, 'POST', '/v1/tasks', body, Math.floor(Date.now() / 1000) - a.seconds);
        else if (a.kind === 'impostor') headers = signedHeaders(mallory, 'POST', '/v1/tasks', body);
        else text = body.replace('"analytics"', JSON.stringify(`analytics${a.extra}`));
        if (headers === used)
          await app.inject({
            method: 'POST',
            url: '/v1/tasks',
            payload: body,
            headers: { 'content-type': 'application/json', ...used },
          });
        calls.length = 0;
        const response = await app.inject({
          method: 'POST',
          url: '/v1/tasks',
          payload: text,
          headers: { 'content-type': 'application/json', ...headers },
        });
        assert.ok(response.statusCode < 500, `${response.statusCode}: ${response.body}`);
        const unchanged = a.kind === 'flip' && headers['signature-input'] !== undefined && response.statusCode === 201;
        if (!unchanged) {
          assert.deepEqual(calls, [], `admitted under attack ${JSON.stringify(a)}`);
          assert.ok([400, 401].includes(response.statusCode), `${response.statusCode}: ${response.body}`);
        }
      }),
      { numRuns: 300 },
    );
  });
});
