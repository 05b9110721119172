/**
 * The finalized accounting book records an epoch (more rows than one statement carries) and reads
 * back every body as recorded, whatever its strings hold (backslashes, quotes, tabs, newlines,
 * `\N`, non-ASCII); recording the epoch again, or over a book that already holds part of it (a
 * restart at finality), adds only the missing rows and leaves the others as they are.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EpochAccounting } from '@symphony/protocol';
import type { Store } from '../../src/ports/store.ts';
import { AccountingBook } from '../../src/settlement/accounting-book.ts';
import { sqlStores } from '../support/sql-stores.ts';

const AWKWARD = 'act_a\\b "c"\td\ne\r\\N é 😀';
const REWARDS = 2_000;

function accounting(epoch_id: number): EpochAccounting {
  return {
    epoch_id,
    entries: [{ task_id: 'tsk_1', fee: '12', note: AWKWARD }],
    rewards: Array.from({ length: REWARDS }, (_, i) => ({
      reward_id: `rwd_${String(i).padStart(6, '0')}`,
      epoch_id,
      account: i % 100 === 0 ? AWKWARD : `act_${i % 97}`,
      units: i,
      state: 'finalized',
    })),
    payouts: [{ intent_id: 'pay_1', account: AWKWARD, amount: '7' }],
    batches: [{ batch_id: 'bat_1', intents: ['pay_1'] }],
  } as unknown as EpochAccounting;
}

const sorted = (a: EpochAccounting) => ({
  ...a,
  rewards: [...a.rewards].sort((x, y) => (x.reward_id < y.reward_id ? -1 : 1)),
});

for (const { name, skip, open } of sqlStores)
  describe(`the accounting book on ${name}`, { skip: skip ?? false }, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let book: AccountingBook;
    before(async () => {
      ({ store, drop } = await open());
      book = await AccountingBook.open(store, 'node_book');
    });
    after(() => drop());

    it('records a fresh epoch whole and reads every body back as recorded', async () => {
      assert.equal(await book.has(3), false);
      await book.record(accounting(3));
      assert.equal(await book.has(3), true);
      assert.deepEqual(await book.read(3), sorted(accounting(3)));
    });

    it('adds only what is missing when the epoch is recorded again, leaving recorded rows as they are', async () => {
      // A restart at finality: part of the epoch is recorded, and one recorded row differs.
      await store.query(`delete from ${book.table} where kind = 'reward' and id >= 'rwd_001500'`);
      await store.query(
        `update ${book.table} set body = jsonb_set(body, '{units}', '-1') where kind = 'reward' and id = 'rwd_000001'`,
      );
      await book.record(accounting(3));
      await book.record(accounting(3));
      const read = await book.read(3);
      assert.equal(read.rewards.length, REWARDS);
      assert.equal(read.rewards[1]!.units, -1);
      assert.deepEqual({ ...read.rewards[1_500] }, { ...accounting(3).rewards[1_500] });
      const counted = await store.query<{ n: bigint }>(`select count(*)::bigint as n from ${book.table}`);
      assert.equal(counted[0]?.n, BigInt(REWARDS + 4));
    });
  });
