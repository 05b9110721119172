/**
 * `/openapi.json`: a structurally valid OpenAPI 3.1 document listing every route with its request
 * and response schemas, the error catalog and the tags. No OpenAPI validator package is installed,
 * so the document is checked against the 3.1 object model here (fixed fields, parameters matching
 * path templates, unique operation ids, resolvable `$ref`s, JSON Schema 2020-12 keywords only).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ApiErrorBody,
  ERROR_CATALOG,
  IngestRecordsRequest,
  SubmitTaskRequest,
  TaskListQuery,
  TaskView,
} from '@symphony/api';
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../../src/application/http-server.ts';
import { OPENAPI_TAGS, OPENAPI_TITLE } from '../../src/application/openapi.ts';
import { fakeMasterApi } from './fake-master-api.ts';

type Json = any;

const ROUTES = [
  ['post', '/v1/vaults/{vaultId}/records'],
  ['post', '/v1/vaults/{vaultId}/uploads'],
  ['post', '/v1/vaults/{vaultId}/documents'],
  ['get', '/v1/vaults'],
  ['get', '/v1/vaults/{vaultId}'],
  ['get', '/v1/vaults/{vaultId}/commitments'],
  ['post', '/v1/vaults/{vaultId}/snapshots'],
  ['post', '/v1/tasks'],
  ['get', '/v1/tasks'],
  ['get', '/v1/tasks/{taskId}'],
  ['get', '/v1/tasks/{taskId}/events'],
  ['get', '/v1/tasks/{taskId}/rounds'],
  ['get', '/v1/tasks/{taskId}/result'],
  ['post', '/v1/tasks/{taskId}/participation'],
  ['get', '/v1/epochs'],
  ['post', '/v1/epochs/current/close'],
  ['get', '/v1/epochs/{epochId}/settlement'],
  ['get', '/v1/stakes/{actorId}'],
  ['post', '/v1/stakes/deposit'],
  ['post', '/v1/stakes/unbond'],
  ['post', '/v1/stakes/withdraw'],
  ['get', '/v1/payouts'],
  ['get', '/v1/payouts/batches/{batchId}'],
  ['get', '/v1/payouts/batches/{batchId}/claims/{actorId}'],
  ['post', '/v1/payouts/batches/{batchId}/executed'],
  ['get', '/v1/epochs/{epochId}/settlement/proofs/{entryId}'],
  ['post', '/v1/epochs/{epochId}/settlement/retry'],
  ['get', '/v1/rewards'],
  ['get', '/v1/network'],
  ['get', '/healthz'],
  ['get', '/metrics'],
  ['get', '/openapi.json'],
  ['post', '/v1/consents'],
  ['post', '/v1/consents/revoke'],
  ['get', '/v1/consents'],
  ['get', '/v1/semantic/domains'],
  ['get', '/v1/semantic/domains/{domain}/versions/{version}'],
  ['post', '/v1/vaults/{vaultId}/semantic-mapping'],
  ['post', '/v1/semantic/candidates'],
  ['get', '/v1/semantic/candidates'],
  ['post', '/v1/semantic/promotions'],
  ['get', '/v1/tasks/{taskId}/resolution'],
  ['post', '/v1/challenges'],
  ['get', '/v1/challenges'],
  ['get', '/v1/challenges/{challengeId}'],
  ['get', '/v1/challenges/{challengeId}/replay'],
  ['post', '/v1/challenges/{challengeId}/approve'],
  ['post', '/v1/challenges/{challengeId}/evidence'],
  ['post', '/v1/actors'],
  ['post', '/v1/vaults/{vaultId}/grants'],
  ['get', '/v1/vaults/{vaultId}/grants'],
  ['delete', '/v1/vaults/{vaultId}/grants/{grantId}'],
  ['post', '/v1/delegations/revoke'],
  ['post', '/v1/vaults/{vaultId}/programs'],
  ['get', '/v1/log'],
  ['get', '/v1/epochs/{epochId}/accounting'],
  ['get', '/v1/epochs/{epochId}/anchor'],
] as const;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const ROOT_FIELDS = [
  'openapi',
  'info',
  'jsonSchemaDialect',
  'servers',
  'paths',
  'webhooks',
  'components',
  'security',
  'tags',
  'externalDocs',
];
const OPERATION_FIELDS = [
  'tags',
  'summary',
  'description',
  'externalDocs',
  'operationId',
  'parameters',
  'requestBody',
  'responses',
  'callbacks',
  'deprecated',
  'security',
  'servers',
];
const SCHEMA_KEYWORDS = new Set([
  '$ref',
  '$defs',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'patternProperties',
  'propertyNames',
  'items',
  'prefixItems',
  'anyOf',
  'oneOf',
  'allOf',
  'not',
  'enum',
  'const',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'format',
  'title',
  'description',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
]);
const JSON_TYPES = new Set(['null', 'boolean', 'object', 'array', 'number', 'integer', 'string']);

/** Every problem with a JSON Schema 2020-12 schema object (as OpenAPI 3.1 uses it). */
function schemaProblems(schema: Json, where: string, out: string[] = []): string[] {
  if (typeof schema === 'boolean') return out;
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    out.push(`${where}: not a schema`);
    return out;
  }
  for (const [key, value] of Object.entries<Json>(schema)) {
    if (!SCHEMA_KEYWORDS.has(key) && !key.startsWith('x-')) out.push(`${where}: unknown keyword ${key}`);
    if (key === 'x-response-description') out.push(`${where}: response description left in the schema`);
    if (key === 'type') {
      const types = Array.isArray(value) ? value : [value];
      if (!types.every((t: Json) => JSON_TYPES.has(t))) out.push(`${where}: bad type ${JSON.stringify(value)}`);
    }
    if (['properties', 'patternProperties', '$defs'].includes(key)) {
      for (const [name, sub] of Object.entries(value)) schemaProblems(sub, `${where}/${key}/${name}`, out);
    }
    if (['additionalProperties', 'items', 'not', 'propertyNames'].includes(key)) {
      schemaProblems(value, `${where}/${key}`, out);
    }
    if (['anyOf', 'oneOf', 'allOf', 'prefixItems'].includes(key)) {
      if (!Array.isArray(value) || value.length === 0) out.push(`${where}: ${key} must be a non-empty array`);
      else {
        for (const [i, sub] of value.entries()) schemaProblems(sub, `${where}/${key}/${i}`, out);
      }
    }
    if (key === 'required' && !(Array.isArray(value) && value.every((v: Json) => typeof v === 'string'))) {
      out.push(`${where}: required must list strings`);
    }
    if (key === 'pattern') {
      try {
        new RegExp(value, 'u');
      } catch {
        out.push(`${where}: bad pattern`);
      }
    }
  }
  return out;
}

/** Every problem with the document against the OpenAPI 3.1 object model. */
function documentProblems(doc: Json): string[] {
  const out: string[] = [];
  if (doc.openapi !== '3.1.0') out.push('openapi must be 3.1.0');
  for (const key of Object.keys(doc)) {
    if (!ROOT_FIELDS.includes(key) && !key.startsWith('x-')) out.push(`root: unknown field ${key}`);
  }
  if (typeof doc.info?.title !== 'string' || typeof doc.info?.version !== 'string') out.push('info.title/version');
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries<Json>(doc.paths ?? {})) {
    if (!path.startsWith('/')) out.push(`${path}: must start with /`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries<Json>(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!METHODS.includes(method)) {
        out.push(`${path}: unknown field ${method}`);
        continue;
      }
      for (const key of Object.keys(op)) {
        if (!OPERATION_FIELDS.includes(key) && !key.startsWith('x-')) out.push(`${where}: unknown field ${key}`);
      }
      if (typeof op.operationId === 'string') {
        if (operationIds.has(op.operationId)) out.push(`${where}: duplicate operationId ${op.operationId}`);
        operationIds.add(op.operationId);
      } else out.push(`${where}: no operationId`);
      const parameters: Json[] = op.parameters ?? [];
      for (const p of parameters) {
        if (typeof p.name !== 'string' || !['query', 'header', 'path', 'cookie'].includes(p.in)) {
          out.push(`${where}: bad parameter ${JSON.stringify(p)}`);
        }
        if (p.in === 'path' && (p.required !== true || !templated.includes(p.name))) {
          out.push(`${where}: path parameter ${p.name} must be required and templated`);
        }
        schemaProblems(p.schema, `${where} parameter ${p.name}`, out);
      }
      for (const name of templated) {
        if (!parameters.some((p) => p.in === 'path' && p.name === name)) out.push(`${where}: {${name}} undeclared`);
      }
      if (op.requestBody !== undefined) {
        const content = Object.entries<Json>(op.requestBody.content ?? {});
        if (content.length === 0) out.push(`${where}: requestBody without content`);
        for (const [type, media] of content) schemaProblems(media.schema, `${where} body ${type}`, out);
      }
      const responses = Object.entries<Json>(op.responses ?? {});
      if (responses.length === 0) out.push(`${where}: no responses`);
      for (const [status, response] of responses) {
        if (!/^[1-5](\d\d|XX)$|^default$/.test(status)) out.push(`${where}: bad status ${status}`);
        if (typeof response.description !== 'string') out.push(`${where} ${status}: no description`);
        for (const [type, media] of Object.entries<Json>(response.content ?? {})) {
          schemaProblems(media.schema, `${where} ${status} ${type}`, out);
        }
        for (const [name, header] of Object.entries<Json>(response.headers ?? {})) {
          schemaProblems(header.schema, `${where} ${status} header ${name}`, out);
        }
      }
    }
  }
  for (const [name, schema] of Object.entries<Json>(doc.components?.schemas ?? {})) {
    schemaProblems(schema, `components/schemas/${name}`, out);
  }
  const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]*)"/g)].map((m) => m[1] ?? '');
  for (const ref of refs) {
    const target = ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<Json>((node, part) => node?.[part.replaceAll('~1', '/').replaceAll('~0', '~')], doc);
    if (!ref.startsWith('#/') || target === undefined) out.push(`unresolvable $ref ${ref}`);
  }
  return out;
}

describe('GET /openapi.json', () => {
  let app: FastifyInstance;
  let doc: Json;

  before(async () => {
    app = await createHttpServer(fakeMasterApi().api, { authentication: false });
    const response = await app.inject({ url: '/openapi.json' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /application\/json/);
    doc = response.json();
  });
  after(() => app.close());

  it('is a structurally valid OpenAPI 3.1 document', () => {
    assert.deepEqual(documentProblems(doc), []);
    assert.equal(doc.info.title, OPENAPI_TITLE);
    assert.equal(doc.info.title, 'Symphony Core System API');
  });

  it('lists every route and nothing else', () => {
    const listed = Object.entries<Json>(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method} ${path}`),
    );
    assert.deepEqual(listed.sort(), ROUTES.map(([method, path]) => `${method} ${path}`).sort());
  });

  it('tags every operation with one of the declared tags', () => {
    const names = doc.tags.map((t: Json) => t.name);
    assert.deepEqual(
      names,
      OPENAPI_TAGS.map((t) => t.name),
    );
    for (const [method, path] of ROUTES) {
      const tags = doc.paths[path][method].tags;
      assert.equal(tags.length, 1, `${method} ${path}`);
      assert.ok(names.includes(tags[0]), `${method} ${path}: ${tags[0]}`);
    }
  });

  it('carries the request schemas', () => {
    const submit = doc.paths['/v1/tasks'].post;
    const body = submit.requestBody.content['application/json'].schema;
    assert.deepEqual(Object.keys(body.properties).sort(), Object.keys(SubmitTaskRequest.properties).sort());
    assert.deepEqual([...body.required].sort(), [...SubmitTaskRequest.required].sort());
    assert.equal(body.additionalProperties, false);
    assert.equal(body.properties.spec.anyOf.length, 4);
    const header = submit.parameters.find((p: Json) => p.in === 'header');
    assert.equal(header.name, 'idempotency-key');
    assert.equal(header.required, false);
    assert.equal(header.schema.maxLength, 128);

    const ingest = doc.paths['/v1/vaults/{vaultId}/records'].post;
    const records = ingest.requestBody.content['application/json'].schema;
    assert.deepEqual(Object.keys(records.properties), Object.keys(IngestRecordsRequest.properties));
    assert.equal(ingest.parameters.find((p: Json) => p.in === 'path').schema.pattern, '^vlt_[0-9a-z][0-9a-z_-]{0,62}$');

    const list = doc.paths['/v1/tasks'].get.parameters.filter((p: Json) => p.in === 'query');
    assert.deepEqual(list.map((p: Json) => p.name).sort(), Object.keys(TaskListQuery.properties).sort());
    const epoch = doc.paths['/v1/epochs/{epochId}/settlement'].get.parameters[0];
    assert.equal(epoch.schema.type, 'integer');
  });

  it('carries the response schemas, including every error answer', () => {
    const submit = doc.paths['/v1/tasks'].post.responses;
    assert.deepEqual(Object.keys(submit).sort(), [
      '200',
      '201',
      '400',
      '401',
      '402',
      '403',
      '404',
      '409',
      '413',
      '422',
      '429',
      '500',
      '503',
    ]);
    for (const status of ['200', '201']) {
      const schema = submit[status].content['application/json'].schema;
      assert.deepEqual(Object.keys(schema.properties).sort(), Object.keys(TaskView.properties).sort());
    }
    for (const [method, path] of ROUTES) {
      const responses = doc.paths[path][method].responses;
      const statuses = Object.keys(responses);
      assert.ok(
        statuses.some((s) => s.startsWith('2')),
        `${method} ${path}: no success answer`,
      );
      if (path === '/openapi.json') continue;
      for (const status of statuses.filter((s) => Number(s) >= 400)) {
        const schema = responses[status].content['application/json'].schema;
        const error: Json = status === '503' && path === '/healthz' ? schema.anyOf[1] : schema;
        assert.deepEqual(Object.keys(error.properties), Object.keys(ApiErrorBody.properties), `${path} ${status}`);
        assert.deepEqual(error.required, ['code', 'message']);
      }
      assert.ok(statuses.includes('500') && statuses.includes('400'), `${method} ${path}`);
    }
    assert.ok(doc.paths['/metrics'].get.responses['200'].content['text/plain']);
    assert.ok(doc.paths['/v1/tasks'].post.responses['503'].headers['retry-after']);
  });

  it('describes the error catalog', () => {
    assert.deepEqual(doc['x-error-catalog'], ERROR_CATALOG);
    for (const [code, entry] of Object.entries(ERROR_CATALOG)) {
      assert.ok(doc.info.description.includes(`\`${code}\` | ${entry.status} |`), code);
    }
    const submit = doc.paths['/v1/tasks'].post.responses;
    assert.match(submit['409'].description, /idempotency_conflict/);
    assert.match(submit['422'].description, /task_refused/);
    assert.match(submit['400'].description, /invalid_request[\s\S]*unknown_field/);
    assert.match(doc.paths['/v1/tasks/{taskId}/result'].get.responses['409'].description, /result_not_ready/);
    assert.deepEqual(Object.keys(doc.components.schemas), ['ApiErrorBody']);
  });

  it('has a checker that catches defects (so the clean result above means something)', () => {
    const broken = structuredClone(doc);
    broken.paths['/v1/tasks/{taskId}'].get.parameters = [];
    broken.paths['/v1/tasks'].post.requestBody.content['application/json'].schema.properties.class['~kind'] = 'Enum';
    broken.paths['/v1/epochs'].get.responses['200'].content['application/json'].schema.$ref = '#/components/nope';
    broken.paths['/v1/network'].get.operationId = 'listEpochs';
    broken.paths['/healthz'].get.responses['200'].description = undefined;
    const problems = documentProblems(broken);
    for (const expected of [
      '{taskId} undeclared',
      'unknown keyword ~kind',
      'unresolvable $ref #/components/nope',
      'duplicate operationId listEpochs',
      'GET /healthz 200: no description',
    ]) {
      assert.ok(
        problems.some((p) => p.includes(expected)),
        `${expected} in ${problems.join('; ')}`,
      );
    }
  });

  it('is the document the docs UI browses', async () => {
    const ui = await app.inject({ url: '/docs/json' });
    assert.equal(ui.statusCode, 200);
    assert.deepEqual(ui.json().paths, doc.paths);
  });
});
