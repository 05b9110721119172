/**
 * A master's idempotency keys and released outputs are written by grouped statements (concurrent
 * requests share one); grouping must not change what each request gets: a key claimed by several
 * concurrent requests goes to the first of them, every other request is answered with that
 * holder's body hash and task, and a key already held is never taken over; an output written twice
 * for one task and attempt keeps the last.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MasterTables, masterMigrations } from '../../src/application/master-tables.ts';
import type { Store } from '../../src/ports/store.ts';
import { sqlStores } from '../support/sql-stores.ts';

for (const { name, skip, open } of sqlStores)
  describe(`master tables: grouped writes on ${name}`, { skip: skip ?? false }, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let tables: MasterTables;
    before(async () => {
      ({ store, drop } = await open());
      await store.migrate(masterMigrations('node_group'));
      tables = new MasterTables(store, 'node_group');
    });
    after(() => drop());

    it('gives each idempotency key to its first claim, across and within grouped statements', async () => {
      await tables.claimOrGetIdempotencyKey('held', 'h-old', 'tsk_old');
      // Claims made in one turn of the event loop share one statement.
      const claims = [
        ['lead', 'h-lead', 'tsk_lead'],
        ['a', 'h-a1', 'tsk_a1'],
        ['held', 'h-new', 'tsk_new'],
        ['b', 'h-b', 'tsk_b'],
        ['a', 'h-a2', 'tsk_a2'],
        ['c', 'h-c', 'tsk_c'],
        ['a', 'h-a1', 'tsk_a3'],
      ] as const;
      const held = await Promise.all(claims.map(([k, h, t]) => tables.claimOrGetIdempotencyKey(k, h, t)));
      assert.deepEqual(held, [
        { body_hash: 'h-lead', task_id: 'tsk_lead' },
        { body_hash: 'h-a1', task_id: 'tsk_a1' },
        { body_hash: 'h-old', task_id: 'tsk_old' },
        { body_hash: 'h-b', task_id: 'tsk_b' },
        { body_hash: 'h-a1', task_id: 'tsk_a1' },
        { body_hash: 'h-c', task_id: 'tsk_c' },
        { body_hash: 'h-a1', task_id: 'tsk_a1' },
      ]);
      for (const [k, expected] of [
        ['a', 'tsk_a1'],
        ['held', 'tsk_old'],
        ['b', 'tsk_b'],
      ] as const)
        assert.equal((await tables.idempotencyKey(k))?.task_id, expected);
    });

    it('stores concurrent outputs, the last one for a repeated task and attempt', async () => {
      await Promise.all([
        tables.putOutput('tsk_lead', 0, {}, 'h0'),
        tables.putOutput('tsk_1', 0, { n: 1 }, 'h1'),
        tables.putOutput('tsk_2', 0, { n: 2 }, 'h2'),
        tables.putOutput('tsk_1', 0, { n: 11 }, 'h11'),
        tables.putOutput('tsk_1', 1, { n: 3 }, 'h3'),
      ]);
      assert.deepEqual(await tables.output('tsk_1', 0), { output: { n: 11 }, output_hash: 'h11' });
      assert.deepEqual(await tables.output('tsk_2', 0), { output: { n: 2 }, output_hash: 'h2' });
      assert.deepEqual(await tables.output('tsk_1', 1), { output: { n: 3 }, output_hash: 'h3' });
    });
  });
