/**
 * Property: the built-in operators give the same output and contributors over frozen per-Vault
 * row arrays (whose comparable columns and selections are remembered and reused by later tasks)
 * as over a fresh, unfrozen concatenation of the same rows, for random rows and several random
 * filters and programs over the same rows, each asked twice.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Condition } from '@symphony/protocol';
import fc from 'fast-check';
import { type BuiltinProgram, type Row, runBuiltin, runBuiltinOnParts } from '../../src/execution/builtin-operators.ts';

const ATTRIBUTES = ['amount', 'city', 'at', 'n'] as const;

const valueArb = fc.oneof(
  fc.constantFrom('12.50', '3', '-0.5', '20.00', '7.125', 'Singapore', 'Paris', '', 'x1'),
  fc.constantFrom('2026-10-01T00:00:00Z', '2026-10-15T12:00:00Z', '2026-11-02T08:30:00Z'),
  fc.integer({ min: -50, max: 50 }),
  fc.boolean(),
  fc.constant(null),
);

const rowArb: fc.Arbitrary<Row> = fc.record({
  subject: fc.constantFrom('act_a', 'act_b', 'act_c', 'act_d'),
  fields: fc.dictionary(fc.constantFrom(...ATTRIBUTES), valueArb, { maxKeys: 4 }),
});

const conditionArb: fc.Arbitrary<Condition> = fc.oneof(
  fc.record({
    attribute: fc.constantFrom(...ATTRIBUTES),
    op: fc.constantFrom('eq', 'ne', 'gte', 'lte') as fc.Arbitrary<'eq' | 'ne' | 'gte' | 'lte'>,
    value: fc.constantFrom('12.50', '3', 'Paris', '2026-10-10T00:00:00Z', 5),
  }),
  fc.record({
    attribute: fc.constantFrom(...ATTRIBUTES),
    op: fc.constantFrom('in', 'between') as fc.Arbitrary<'in' | 'between'>,
    value: fc.constantFrom(['3', '20.00'], ['Paris', 'Singapore'], ['2026-10-01T00:00:00Z', '2026-10-31T23:59:59Z']),
  }),
  fc.record({
    attribute: fc.constantFrom(...ATTRIBUTES),
    op: fc.constant('within_days' as const),
    value: fc.integer({ min: 1, max: 60 }),
  }),
) as fc.Arbitrary<Condition>;

const programArb: fc.Arbitrary<BuiltinProgram> = fc.oneof(
  fc.constant({ type: 'builtin', operator: 'count' } as BuiltinProgram),
  fc.record({
    type: fc.constant('builtin' as const),
    operator: fc.constantFrom('sum', 'mean') as fc.Arbitrary<'sum' | 'mean'>,
    attribute: fc.constantFrom(...ATTRIBUTES),
  }) as fc.Arbitrary<BuiltinProgram>,
  fc.record({
    type: fc.constant('builtin' as const),
    operator: fc.constant('histogram' as const),
    attribute: fc.constantFrom(...ATTRIBUTES),
    bin_edges: fc.constant(['-10', '0', '10', '20']),
  }) as fc.Arbitrary<BuiltinProgram>,
);

describe('built-in operators over remembered columns', () => {
  it('give the output of a fresh concatenation of the same rows, every time', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(rowArb, { maxLength: 12 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.array(conditionArb, { maxLength: 3 }), { minLength: 1, maxLength: 4 }),
        fc.array(programArb, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 3 }),
        (parts, filters, programs, kMin) => {
          const frozen = parts.map((rows) => Object.freeze(rows.map((r) => Object.freeze({ ...r }))));
          const opts = { referenceMs: Date.parse('2026-11-01T00:00:00Z'), kMin };
          for (const filter of [...filters, ...filters]) {
            for (const program of programs) {
              const fresh = runBuiltin(program, filter, parts.flat(), opts);
              const reused = runBuiltinOnParts(program, filter, frozen, opts);
              assert.deepEqual(reused.output, fresh.output);
              assert.deepEqual([...reused.contributors], [...fresh.contributors]);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
