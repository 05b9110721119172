/**
 * New subject keys are created on the node's main thread, wrapped under the Vault KEK in the
 * sealing worker (large batches) or on the calling thread (small ones), and stored in the batch's
 * own transaction, after its records: a key wrapped either way opens only under its own subject
 * (its Vault, subject and KEK version are bound), a batch refused as a whole stores none of its
 * new keys, and a key stored by one batch is the one every later batch of the subject uses.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RecordInput } from '@symphony/api';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { loadVaultMasterSecret, VaultCryptoError } from '../../src/data/vault-crypto.ts';
import { RecordRefused, VaultRecords, vaultRecordMigrations } from '../../src/data/vault-records.ts';
import { openTestPglite } from '../support/pglite.ts';

const V = 'vlt_keys';
const record = (i: number, subject: string): RecordInput => ({
  record_id: `rec_w${i}`,
  subject,
  fields: { category: 'coffee', total_amount: `${i}.50`, merchant: `Kopi-${i}` },
});

describe('vault subject keys are stored with their batch', () => {
  let store: PgliteStore;
  let master: Buffer;
  before(async () => {
    store = await openTestPglite();
    master = await loadVaultMasterSecret(new MemoryKeyring(), 'node-keys');
  });
  after(() => store.close());

  for (const sealInWorker of [true, false])
    it(`binds each key to its subject (${sealInWorker ? 'wrapped in the worker' : 'wrapped here'})`, async () => {
      const schema = sealInWorker ? 'node_keys_worker' : 'node_keys_here';
      await store.migrate(vaultRecordMigrations(schema));
      const limits = () => ({ max_record_bytes: 16 * 1024, quota_per_subject: 200 });
      const records = new VaultRecords(store, schema, master, limits, { sealInWorker });
      const keyCount = async () =>
        Number((await store.query<{ n: bigint }>(`select count(*)::bigint as n from ${schema}.subject_keys`))[0]!.n);

      // 300 records of 3 new subjects: one key each, stored with the batch.
      await records.beginUpload(V, 'upl_keys');
      await records.stageBatch(
        'upl_keys',
        Array.from({ length: 300 }, (_, i) => record(i, `act_k${i % 3}`)),
      );
      assert.equal(await keyCount(), 3);
      // A batch over the limit is refused before anything of it, its new subject's key included, is stored.
      await assert.rejects(
        records.stageBatch('upl_keys', [
          record(1000, 'act_new'),
          { ...record(1001, 'act_new'), fields: { merchant: 'x'.repeat(17_000) } },
        ]),
        (e: unknown) => e instanceof RecordRefused && e.code === 'record_too_large',
      );
      assert.equal(await keyCount(), 3);
      // A later batch of a known subject uses its stored key (a fresh instance reads both batches).
      await records.stageBatch('upl_keys', [record(300, 'act_k1')]);
      assert.equal(await keyCount(), 3);
      assert.deepEqual(await records.commitUpload('upl_keys'), { vault_id: V, accepted: 301, duplicates: 0 });
      const read = () => new VaultRecords(store, schema, master).snapshot(V, 1_000_000);
      const rows = await read();
      assert.equal(rows.length, 301);
      assert.equal(rows.find((r) => r.record_id === 'rec_w300')?.fields.total_amount, '300.50');

      // Swapping two subjects' wrapped keys is detected: the subject is bound to its key.
      const swap = () =>
        store.query(
          `update ${schema}.subject_keys k set wrapped_key = o.wrapped_key from ${schema}.subject_keys o
           where k.vault_id = o.vault_id and k.subject in ('act_k0', 'act_k1') and o.subject in ('act_k0', 'act_k1')
             and o.subject <> k.subject`,
        );
      await swap();
      await assert.rejects(read(), (e: unknown) => e instanceof VaultCryptoError && e.code === 'wrapped_key_tampered');
      await swap();
      assert.equal((await read()).length, 301);
    });
});
