/** The issue locator and the strict-schema transform behind the HTTP edge's validation errors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IngestRecordsRequest, SubmitTaskRequest, TaskListQuery } from '@symphony/api';
import Type from 'typebox';
import { compileRequestValidator } from '../../src/application/schema-validation.ts';
import { strictSchema } from '../../src/application/strict-schema.ts';
import { findValidationIssue, pointer } from '../../src/application/validation-issue.ts';
import { validTask } from './fake-master-api.ts';

const task = strictSchema(SubmitTaskRequest);
const records = strictSchema(IngestRecordsRequest);

type Json = any;

/** A valid task with `edit` applied to a mutable copy. */
function taskWith(edit: (body: Json) => void): unknown {
  const body: Json = structuredClone(validTask());
  edit(body);
  return body;
}

describe('findValidationIssue', () => {
  it('accepts a valid value', () => {
    assert.equal(findValidationIssue(task, validTask()), undefined);
  });

  it('follows the spec and program discriminators to the offending field', () => {
    const issue = findValidationIssue(
      task,
      taskWith((b) => {
        b.spec.program.operator = 'median';
      }),
    );
    assert.deepEqual(issue, {
      code: 'invalid_request',
      field: '/spec/program/operator',
      reason: 'must be one of: count, sum, mean, histogram',
    });
  });

  it('names an unknown discriminator value and a missing one', () => {
    assert.deepEqual(
      findValidationIssue(
        task,
        taskWith((b) => {
          b.spec.kind = 'magic';
        }),
      ),
      { code: 'invalid_request', field: '/spec/kind', reason: 'must be one of: parse, query, compute, train' },
    );
    const missing = findValidationIssue(
      task,
      taskWith((b) => {
        delete b.spec.kind;
      }),
    );
    assert.equal(missing?.field, '/spec/kind');
    assert.match(missing?.reason ?? '', /is required/);
  });

  it('reports unknown fields at any depth, before any other issue', () => {
    assert.deepEqual(
      findValidationIssue(
        task,
        taskWith((b) => {
          b.extra = 1;
        }),
      ),
      { code: 'unknown_field', field: '/extra', reason: 'is not defined' },
    );
    const nested = findValidationIssue(
      task,
      taskWith((b) => {
        b.class = 42; // a type error earlier in the document
        b.spec.filter[0].extra = true;
      }),
    );
    assert.deepEqual(nested, { code: 'unknown_field', field: '/spec/filter/0/extra', reason: 'is not defined' });
  });

  it('names the field of a wrong type', () => {
    assert.deepEqual(
      findValidationIssue(
        task,
        taskWith((b) => {
          b.budget.max_fee = 1000;
        }),
      ),
      { code: 'invalid_request', field: '/budget/max_fee', reason: 'must be string' },
    );
    assert.deepEqual(
      findValidationIssue(
        task,
        taskWith((b) => {
          b.spec.filter[0].value = { nested: true };
        }),
      ),
      { code: 'invalid_request', field: '/spec/filter/0/value', reason: 'must be string, integer or array' },
    );
    assert.deepEqual(
      findValidationIssue(
        task,
        taskWith((b) => {
          b.timeout_ms = '600000';
        }),
      ),
      { code: 'invalid_request', field: '/timeout_ms', reason: 'must be integer' },
    );
  });

  it('reports array bounds and uniqueness on the array', () => {
    assert.deepEqual(
      findValidationIssue(
        task,
        taskWith((b) => {
          b.targets.vault_ids = [];
        }),
      ),
      { code: 'invalid_request', field: '/targets/vault_ids', reason: 'must have at least 1 items' },
    );
    const duplicate = findValidationIssue(
      task,
      taskWith((b) => {
        b.targets.vault_ids = ['vlt_a', 'vlt_a'];
      }),
    );
    assert.equal(duplicate?.field, '/targets/vault_ids');
  });

  it('treats a record field name outside the key pattern as an unknown field', () => {
    const issue = findValidationIssue(records, { records: [{ subject: 'act_a', fields: { Amount: 1 } }] });
    assert.equal(issue?.code, 'unknown_field');
    assert.equal(issue?.field, '/records/0/fields/Amount');
    assert.equal(findValidationIssue(records, { records: [{ subject: 'act_a', fields: { amount: 1 } }] }), undefined);
  });

  it('never quotes the offending value', () => {
    const marker = 'PLAINTEXT-MARKER-93ab';
    const issue = findValidationIssue(records, { records: [{ subject: marker, fields: { note: [marker] } }] });
    assert.ok(issue);
    assert.ok(!JSON.stringify(issue).includes(marker));
  });

  it('escapes and cuts path segments', () => {
    assert.equal(pointer(['a/b', 'c~d']), '/a~1b/c~0d');
    assert.equal(pointer(['x'.repeat(100)]), `/${'x'.repeat(64)}…`);
  });
});

describe('strictSchema', () => {
  it('closes records with a key pattern and leaves the input untouched', () => {
    const schema = Type.Object({ fields: Type.Record(Type.String({ pattern: '^[a-z]+$' }), Type.Integer()) });
    const before = JSON.stringify(schema);
    const strict = strictSchema(schema) as { properties: { fields: { additionalProperties?: unknown } } };
    assert.equal(strict.properties.fields.additionalProperties, false);
    assert.equal(JSON.stringify(schema), before);
  });
});

describe('compileRequestValidator', () => {
  const validate = (schema: unknown, httpPart: string, data: unknown) =>
    compileRequestValidator({ schema, httpPart, method: 'GET', url: '/' })(data) as {
      value?: unknown;
      error?: { keyword: string; instancePath: string }[];
    };

  it('converts canonical integers in the query string, and nothing else', () => {
    assert.deepEqual(validate(TaskListQuery, 'querystring', { limit: '5', state: 'accepted' }).value, {
      limit: 5,
      state: 'accepted',
    });
    for (const limit of ['5.0', '05', '1e2', ' 5', '0x5', 'true']) {
      assert.equal(validate(TaskListQuery, 'querystring', { limit }).error?.[0]?.instancePath, '/limit', limit);
    }
  });

  it('never converts body values', () => {
    const body = taskWith((b) => {
      b.timeout_ms = '600000';
    });
    assert.equal(validate(SubmitTaskRequest, 'body', body).error?.[0]?.instancePath, '/timeout_ms');
  });

  it('returns the valid body as it came, without defaults or removals', () => {
    const body = validTask();
    const result = validate(SubmitTaskRequest, 'body', body);
    assert.equal(result.value, body);
    assert.equal('timeout_ms' in body, false);
  });
});
