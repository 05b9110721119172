/**
 * The behaviour every `Store` adapter must have. `describeStoreContract` registers a suite; its
 * factory is called ONCE per suite (a database costs seconds to create), so each test works in
 * its own tables and migration ids, and the last test closes the store.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { bigint, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { PortError } from '../../src/ports/errors.ts';
import type { Migration, Store } from '../../src/ports/store.ts';
import { delay, waitFor } from '../support/wait.ts';

/** A store shared by the suite's tests. */
export type StoreFixture = {
  readonly subject: Store;
  /** For durable adapters: closes the store and opens a new instance over the same data. */
  readonly reopen?: () => Promise<Store>;
  /** Closes what is open and removes the data. */
  cleanup(): Promise<void>;
};

/** Options of the suite. */
export type StoreContractOptions = { readonly skip?: string | undefined };

const unique = (stem: string) => `${stem}_${randomBytes(4).toString('hex')}`;
const isCode = (code: string) => (e: unknown) => e instanceof PortError && e.code === code;

/** Registers the `Store` contract suite for one adapter. */
export function describeStoreContract(
  name: string,
  factory: () => Promise<StoreFixture>,
  opts: StoreContractOptions = {},
): void {
  describe(name, { skip: opts.skip ?? false }, () => {
    let fx: StoreFixture;
    let store: Store;
    before(async () => {
      fx = await factory();
      store = fx.subject;
    });
    after(async () => {
      await fx?.cleanup();
    });

    it('applies new migrations once each, in the order given', async () => {
      const t = unique('mig');
      const migrations: Migration[] = [
        { id: `${t}/001`, sql: `create table ${t} (step int not null, note text)` },
        { id: `${t}/002`, sql: `insert into ${t} (step) values (1); insert into ${t} (step) values (2)` },
        { id: `${t}/003`, sql: `alter table ${t} add column done boolean not null default true` },
      ];
      await store.migrate(migrations);
      const rows = await store.query<{ step: number; done: boolean }>(`select step, done from ${t} order by step`);
      assert.deepEqual(rows, [
        { step: 1, done: true },
        { step: 2, done: true },
      ]);
      const applied = await store.query<{ id: string }>(
        `select id from schema_migrations where id like $1 order by applied_at, id`,
        [`${t}/%`],
      );
      assert.deepEqual(
        applied.map((r) => r.id),
        migrations.map((m) => m.id),
      );
    });

    it('treats a re-run, even a concurrent one, as a no-op and keeps other lists apart', async () => {
      const t = unique('rerun');
      const migrations: Migration[] = [
        { id: `${t}/001`, sql: `create table ${t} (n int)` },
        { id: `${t}/002`, sql: `insert into ${t} values (1)` },
      ];
      await Promise.all([store.migrate(migrations), store.migrate(migrations), store.migrate(migrations)]);
      await store.migrate(migrations);
      await store.migrate(migrations.slice(0, 1));
      await store.migrate([]);
      const [row] = await store.query<{ count: bigint }>(`select count(*) as count from ${t}`);
      assert.equal(row?.count, 1n);
    });

    it('refuses an applied migration whose text changed, and applies nothing of that call', async () => {
      const t = unique('changed');
      await store.migrate([{ id: `${t}/001`, sql: `create table ${t} (n int)` }]);
      await assert.rejects(
        store.migrate([
          { id: `${t}/001`, sql: `create table ${t} (n bigint)` },
          { id: `${t}/002`, sql: `insert into ${t} values (1)` },
        ]),
        isCode('migration_changed'),
      );
      assert.deepEqual(await store.query(`select * from ${t}`), []);
    });

    it('rolls back every migration of a call when one fails, and refuses malformed lists', async () => {
      const t = unique('atomic');
      await assert.rejects(
        store.migrate([
          { id: `${t}/001`, sql: `create table ${t} (n int)` },
          { id: `${t}/002`, sql: `insert into ${t}_missing values (1)` },
        ]),
      );
      const [exists] = await store.query<{ name: string | null }>(`select to_regclass($1)::text as name`, [t]);
      assert.equal(exists?.name, null);
      assert.deepEqual(await store.query(`select id from schema_migrations where id like $1`, [`${t}/%`]), []);
      await assert.rejects(
        store.migrate([
          { id: `${t}/x`, sql: 'select 1' },
          { id: `${t}/x`, sql: 'select 2' },
        ]),
        isCode('migration_invalid'),
      );
      await assert.rejects(store.migrate([{ id: '', sql: 'select 1' }]), isCode('migration_invalid'));
    });

    it('commits a transaction that resolves and rolls back one that throws, raw SQL and drizzle alike', async () => {
      const t = unique('tx');
      await store.migrate([{ id: `${t}/001`, sql: `create table ${t} (k text primary key, v jsonb)` }]);
      const table = pgTable(t, { k: text('k').primaryKey(), v: jsonb('v') });

      const result = await store.transaction(async (tx) => {
        await tx.query(`insert into ${t} (k, v) values ($1, $2)`, ['raw', { a: 1 }]);
        await tx.db.insert(table).values({ k: 'drizzle', v: { b: 2 } });
        const seen = await tx.db.select().from(table);
        return seen.length;
      });
      assert.equal(result, 2, 'a transaction sees its own writes');

      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.query(`insert into ${t} (k) values ('doomed-raw')`);
          await tx.db.insert(table).values({ k: 'doomed-drizzle' });
          throw new Error('abort');
        }),
        /abort/,
      );
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.query(`insert into ${t} (k) values ('doomed-sql-error')`);
          await tx.query(`insert into ${t} (k) values ('raw')`);
        }),
      );
      const rows = await store.db.select().from(table).orderBy(table.k);
      assert.deepEqual(rows, [
        { k: 'drizzle', v: { b: 2 } },
        { k: 'raw', v: { a: 1 } },
      ]);
    });

    it('never lets outside statements see or join an open transaction', async () => {
      const t = unique('isolation');
      await store.migrate([{ id: `${t}/001`, sql: `create table ${t} (k text primary key)` }]);
      let inserted = false;
      const tx = store.transaction(async (tx) => {
        await tx.query(`insert into ${t} values ('inside')`);
        inserted = true;
        await delay(60);
        throw new Error('roll back');
      });
      await waitFor(() => inserted, 'the transaction to write');
      const [outsideWrite, outsideRead] = await Promise.all([
        store.query(`insert into ${t} values ('outside') returning k`),
        store.query<{ k: string }>(`select k from ${t}`),
      ]);
      await assert.rejects(tx, /roll back/);
      assert.deepEqual(outsideWrite, [{ k: 'outside' }]);
      assert.ok(!outsideRead.some((r) => r.k === 'inside'), 'uncommitted row leaked');
      assert.deepEqual(await store.query(`select k from ${t}`), [{ k: 'outside' }]);
    });

    it('loses no update across 50 concurrent read-modify-write transactions', async () => {
      const t = unique('counter');
      await store.migrate([
        {
          id: `${t}/001`,
          sql: `create table ${t} (id int primary key, n int not null); insert into ${t} values (1, 0)`,
        },
      ]);
      await Promise.all(
        Array.from({ length: 50 }, () =>
          store.transaction(async (tx) => {
            const [row] = await tx.query<{ n: number }>(`select n from ${t} where id = 1`);
            await new Promise((resolve) => setImmediate(resolve));
            await tx.query(`update ${t} set n = $1 where id = 1`, [(row?.n ?? 0) + 1]);
          }),
        ),
      );
      const [row] = await store.query<{ n: number }>(`select n from ${t} where id = 1`);
      assert.equal(row?.n, 50);
    });

    it('round-trips int8 as bigint exactly, through raw SQL and drizzle', async () => {
      const t = unique('big');
      await store.migrate([{ id: `${t}/001`, sql: `create table ${t} (id int primary key, v bigint, vs bigint[])` }]);
      const values = [9223372036854775807n, -9223372036854775808n, 9007199254740993n, 0n];
      for (const [i, v] of values.entries()) {
        await store.query(`insert into ${t} (id, v, vs) values ($1, $2, $3)`, [i, v, [v, 1n]]);
      }
      const rows = await store.query<{ v: bigint; vs: bigint[] }>(`select v, vs from ${t} order by id`);
      assert.deepEqual(
        rows.map((r) => r.v),
        values,
      );
      assert.deepEqual(
        rows.map((r) => r.vs),
        values.map((v) => [v, 1n]),
      );
      const [count] = await store.query<{ c: bigint; s: string }>(
        `select count(*) as c, sum(v)::numeric::text as s from ${t}`,
      );
      assert.equal(count?.c, 4n);
      assert.equal(count?.s, values.reduce((a, b) => a + b, 0n).toString());
      const table = pgTable(t, { v: bigint('v', { mode: 'bigint' }) });
      const viaDrizzle = await store.db.select({ v: table.v }).from(table).where(sql`id = 2`);
      assert.deepEqual(viaDrizzle, [{ v: 9007199254740993n }]);
    });

    it('round-trips JSON values through json and jsonb', async () => {
      const t = unique('json');
      await store.migrate([{ id: `${t}/001`, sql: `create table ${t} (id int primary key, j jsonb, t json)` }]);
      const value = {
        text: 'ünïcødé ✓ 🎼 "quoted" \\ \n',
        n: [0, -1, 1.5, 1e21, 123456789012345],
        nested: { list: [{ a: null }, true, false], empty: {} },
      };
      await store.query(`insert into ${t} values (1, $1, $2)`, [value, value]);
      await store.query(`insert into ${t} values (2, $1::jsonb, $1::json)`, [JSON.stringify(value)]);
      const rows = await store.query<{ j: unknown; t: unknown }>(`select j, t from ${t} order by id`);
      assert.deepEqual(rows, [
        { j: value, t: value },
        { j: value, t: value },
      ]);
      const [path] = await store.query<{ x: string }>(
        `select j->'nested'->'list'->0 ->> 'a' as x from ${t} where id = 1`,
      );
      assert.equal(path?.x, null);
    });

    it('bulk-loads text and binary COPY data in a transaction when it says it can, all rows or none', async (t) => {
      if (!store.copies) {
        await store.transaction(async (tx) => assert.equal(tx.copyFrom, undefined));
        t.skip('this engine offers no COPY');
        return;
      }
      const table = unique('copied');
      await store.migrate([
        { id: `${table}/001`, sql: `create table ${table} (id int primary key, name text, data bytea, n bigint)` },
      ]);
      const columns = ['id', 'name', 'data', 'n'];
      const text = Buffer.from('1\ttab\\there\t\\\\x00ff\t9007199254740993\n2\t\\N\t\\N\t\\N\n');
      // Binary: signature, flags, extension length; one tuple of four fields; the trailer.
      const field = (bytes: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, bytes.length]), bytes]);
      const binary = Buffer.concat([
        Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'),
        Buffer.alloc(8),
        Buffer.from([0, 4]),
        field(Buffer.from([0, 0, 0, 3])),
        field(Buffer.from('ünï', 'utf8')),
        field(Buffer.from([1, 2, 3])),
        field(Buffer.from([0, 0, 0, 0, 0, 0, 0, 42])),
        Buffer.from([0xff, 0xff]),
      ]);
      await store.transaction(async (tx) => {
        await tx.copyFrom!(table, columns, text, 'text');
        await tx.copyFrom!(table, columns, binary, 'binary');
      });
      // A duplicate key fails the whole statement, and the transaction with it.
      await assert.rejects(
        store.transaction((tx) =>
          tx.copyFrom!(table, columns, Buffer.from('4\tnew\t\\N\t1\n3\tdup\t\\N\t1\n'), 'text'),
        ),
      );
      const rows = await store.query<{ id: number; name: string | null; data: Uint8Array | null; n: bigint | null }>(
        `select id, name, data, n from ${table} order by id`,
      );
      assert.deepEqual(
        rows.map((r) => ({ ...r, data: r.data && Buffer.from(r.data).toString('hex') })),
        [
          { id: 1, name: 'tab\there', data: '00ff', n: 9007199254740993n },
          { id: 2, name: null, data: null, n: null },
          { id: 3, name: 'ünï', data: '010203', n: 42n },
        ],
      );
    });

    it('delivers committed notifications to listeners, and only committed ones', async () => {
      const channel = unique('chan');
      const got: string[] = [];
      const listener = await store.listen(channel, (payload) => got.push(payload));
      await store.query(`select pg_notify($1, $2)`, [channel, 'first']);
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.query(`select pg_notify($1, $2)`, [channel, 'rolled back']);
          throw new Error('abort');
        }),
      );
      await store.transaction(async (tx) => {
        await tx.query(`select pg_notify($1, $2)`, [channel, 'second']);
      });
      await waitFor(() => got.length >= 2, 'two notifications');
      await listener.unlisten();
      await store.query(`select pg_notify($1, $2)`, [channel, 'after unlisten']);
      await delay(50);
      assert.deepEqual(got, ['first', 'second']);
      await assert.rejects(
        store.listen('Bad Channel', () => {}),
        isCode('invalid_channel'),
      );
    });

    it('is durable: a reopened store has the committed data and migrations', async (t) => {
      if (!fx.reopen) {
        t.skip('this store keeps its data in memory only');
        return;
      }
      const table = unique('durable');
      const migrations = [{ id: `${table}/001`, sql: `create table ${table} (k text)` }];
      await store.migrate(migrations);
      await store.transaction((tx) => tx.query(`insert into ${table} values ('kept')`));
      store = await fx.reopen();
      assert.deepEqual(await store.query(`select k from ${table}`), [{ k: 'kept' }]);
      await store.migrate(migrations);
      await assert.rejects(
        store.migrate([{ id: `${table}/001`, sql: `create table ${table} (k int)` }]),
        isCode('migration_changed'),
      );
    });

    it('refuses every call once closed', async () => {
      await store.close();
      await store.close();
      const closed = isCode('closed');
      await assert.rejects(store.query('select 1'), closed);
      await assert.rejects(
        store.transaction(async () => 1),
        closed,
      );
      await assert.rejects(store.migrate([]), closed);
      await assert.rejects(
        store.listen('c', () => {}),
        closed,
      );
    });
  });
}
