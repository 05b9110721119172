/** The local anchor ledger is hash-chained: a changed or removed entry makes `verify` name the break. */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { brokenLedgerEntry, LedgerAnchor } from '../../src/adapters/ledger-anchor.ts';
import { statementOf } from '../contracts/anchor-contract.ts';
import { openTestPglite } from '../support/pglite.ts';

const store = await openTestPglite();
after(() => store.close());
const NET = 'scp-ledger-test';

test('entries chain from 64 zeros; a changed root or a removed entry breaks verification', async () => {
  const ledger = await LedgerAnchor.open(store, 'ledger_chain');
  for (const [epoch, c] of [
    [1, 'a'],
    [2, 'b'],
    [3, 'c'],
  ] as const)
    await ledger.anchor(statementOf(NET, epoch, c));
  const entries = await ledger.ledger();
  assert.deepEqual(
    entries.map((e) => e.seq),
    [0, 1, 2],
  );
  assert.equal(entries[0]!.prev_hash, '0'.repeat(64));
  assert.equal(entries[1]!.prev_hash, entries[0]!.hash);
  assert.equal(brokenLedgerEntry(entries), undefined);
  assert.equal((await ledger.verify(statementOf(NET, 3, 'c'))).ok, true);

  await store.query(`update ledger_chain.anchor_ledger set settlement_root = $1 where epoch_id = 2`, ['d'.repeat(64)]);
  const changed = await ledger.verify(statementOf(NET, 3, 'c'));
  assert.ok(!changed.ok);
  assert.equal(changed.code, 'ledger_broken');
  assert.match(changed.message, /entry 1 does not match its hash/);
  // Epoch 1, before the break, still verifies.
  assert.equal((await ledger.verify(statementOf(NET, 1, 'a'))).ok, true);

  await store.query(`delete from ledger_chain.anchor_ledger where epoch_id = 2`);
  const removed = await ledger.verify(statementOf(NET, 3, 'c'));
  assert.ok(!removed.ok);
  assert.equal(removed.code, 'ledger_broken');
  assert.match(removed.message, /entry 1 is missing/);
});
