/**
 * A subject has one key per Vault, whoever creates it first. New subject keys are written with
 * the batch's records, after them, in the batch's transaction (one `COPY` on PGlite, which has no
 * duplicate rule): when another writer stores the key of one of the batch's new subjects between
 * this writer's lookup and its write, the batch must be rolled back, sealed again under the key
 * already stored and written again, so every record stays readable and shredding the subject
 * still removes the only key. On the insert path (`copy: false`) the outcome is the same.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RecordInput } from '@symphony/api';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import { loadVaultMasterSecret } from '../../src/data/vault-crypto.ts';
import { VaultRecords, vaultRecordMigrations } from '../../src/data/vault-records.ts';
import type { Store } from '../../src/ports/store.ts';
import { openTestPglite } from '../support/pglite.ts';

const V = 'vlt_race';
const record = (i: number, subject: string): RecordInput => ({
  record_id: `rec_k${i}`,
  subject,
  fields: { category: 'coffee', total_amount: `${i}.50`, merchant: `Kopi-${i}` },
});

/** `store`, except that right after the first lookup of subject keys, `race` runs (another writer). */
function racing(store: Store, race: () => Promise<unknown>): Store {
  let armed = true;
  return {
    kind: store.kind,
    copies: store.copies,
    db: store.db,
    query: (async (sql: string, params?: readonly unknown[]) => {
      const rows = await store.query(sql, params);
      if (armed && /^\s*select subject, kek_version, wrapped_key from \S+subject_keys/.test(sql)) {
        armed = false;
        await race();
      }
      return rows;
    }) as Store['query'],
    transaction: (fn) => store.transaction(fn),
    migrate: (m) => store.migrate(m),
    listen: (channel, on) => store.listen(channel, on),
    close: () => store.close(),
  };
}

describe('vault subject keys: the first writer wins', () => {
  let store: Store;
  before(async () => {
    store = await openTestPglite();
  });
  after(() => store.close());

  for (const copy of [true, false]) {
    it(`keeps the key stored first and seals under it (${copy ? 'COPY' : 'insert statement'})`, async () => {
      const schema = copy ? 'node_race_copy' : 'node_race_insert';
      await store.migrate(vaultRecordMigrations(schema));
      const master = await loadVaultMasterSecret(new MemoryKeyring(), 'node-race');
      const other = new VaultRecords(store, schema, master, undefined, { copy });
      const keyOf = async (subject: string) =>
        (
          await store.query<{ wrapped_key: Uint8Array }>(
            `select wrapped_key from ${schema}.subject_keys where vault_id = $1 and subject = $2`,
            [V, subject],
          )
        ).map((r) => Buffer.from(r.wrapped_key).toString('hex'));
      const writer = new VaultRecords(
        racing(store, () => other.insert(V, [record(0, 'act_taken')])),
        schema,
        master,
        undefined,
        { copy },
      );
      const batch = Array.from({ length: 300 }, (_, i) => record(i + 1, i % 2 ? 'act_taken' : `act_new${i % 10}`));
      assert.deepEqual(await writer.insert(V, batch), { accepted: 300, duplicates: 0 });
      const taken = await keyOf('act_taken');
      assert.equal(taken.length, 1, 'one key for the subject');

      // A third instance, with nothing in memory, reads every record with the stored keys.
      const reader = new VaultRecords(store, schema, master, undefined, { copy });
      const rows = await reader.snapshot(V, await reader.head(V));
      assert.equal(rows.length, 301);
      assert.equal(rows.find((r) => r.record_id === 'rec_k2')?.fields.total_amount, '2.50');

      // Shredding the subject removes its only key: none of its records can be read any more.
      assert.deepEqual(await reader.shredSubject(V, 'act_taken'), { shredded: 151 });
      assert.deepEqual(await keyOf('act_taken'), []);
      const fresh = new VaultRecords(store, schema, master, undefined, { copy });
      const left = await fresh.snapshot(V, await fresh.head(V));
      assert.equal(left.length, 150);
      assert.ok(left.every((r) => r.subject !== 'act_taken'));
    });
  }
});
