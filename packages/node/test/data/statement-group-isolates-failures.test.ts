/**
 * Writes that arrive while one is in flight share the next statement, and each caller gets its own
 * row's result; a grouped statement that fails is retried row by row, so only the caller whose row
 * caused the failure sees it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatementGroup, valuesList } from '../../src/data/statement-group.ts';

describe('statement group', () => {
  it('groups the writes of one event loop turn, and those that arrive while a statement is in flight', async () => {
    const statements: number[][] = [];
    const group = new StatementGroup<number, number>(async (rows) => {
      statements.push([...rows]);
      await new Promise((r) => setImmediate(r));
      return rows.map((x) => x * 10);
    });
    const first = [1, 2, 3].map((x) => group.add(x));
    await new Promise((r) => setImmediate(r)); // the statement of 1, 2 and 3 is now in flight
    const later = [4, 5].map((x) => group.add(x));
    assert.deepEqual(await Promise.all([...first, ...later]), [10, 20, 30, 40, 50]);
    assert.deepEqual(statements, [
      [1, 2, 3],
      [4, 5],
    ]);
    assert.equal(group.statements, 2);
  });

  it('rejects only the caller whose row fails, and writes the others', async () => {
    const written: number[] = [];
    const group = new StatementGroup<number, void>(async (rows) => {
      await new Promise((r) => setImmediate(r));
      if (rows.includes(3)) throw new Error('row 3 violates a constraint');
      written.push(...rows);
      return rows.map(() => undefined);
    });
    const outcomes = await Promise.allSettled([1, 2, 3, 4].map((x) => group.add(x)));
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
    );
    assert.match(String((outcomes[2] as PromiseRejectedResult).reason), /row 3/);
    assert.deepEqual(written.sort(), [1, 2, 4]);
  });

  it('numbers the parameters of a values list with their casts', () => {
    assert.equal(valuesList(2, ['::int', '']), '($1::int, $2), ($3::int, $4)');
    assert.equal(valuesList(1, ['', '::jsonb'], 5), '($5, $6::jsonb)');
  });
});
