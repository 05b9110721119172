/**
 * A record id already stored in a Vault (or given twice in one batch) is a duplicate: it is not
 * stored again, the first copy wins, and the upload counts it as a duplicate. Batches are loaded
 * with `COPY` on PGlite, which has no duplicate rule of its own: a part holding a duplicate must
 * be loaded again with the insert's rule, leaving the same rows, counts, order, retention and
 * commitments as the insert statement (`copy: false`), for small batches sealed on the calling
 * thread and large ones sealed in the worker, and for uploads and direct inserts alike. On
 * PostgreSQL (which writes with the insert statement) the outcome is the same again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RecordInput } from '@symphony/api';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import { PostgresStore } from '../../src/adapters/postgres-store.ts';
import { loadVaultMasterSecret } from '../../src/data/vault-crypto.ts';
import { VaultRecords, vaultRecordMigrations } from '../../src/data/vault-records.ts';
import type { Store } from '../../src/ports/store.ts';
import { openTestPglite } from '../support/pglite.ts';
import { createTestDatabase, requireUrl, serviceGate } from '../support/services.ts';

const record = (i: number, amount = i): RecordInput => ({
  record_id: `rec_d${i}`,
  subject: `act_s${i % 7}`,
  fields: { category: 'coffee', total_amount: `${amount}.50`, merchant: `Kopi-${i}` },
});
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
const NOW = Date.parse('2026-11-28T12:00:00Z');
const DAY = 86_400_000;

type Outcome = {
  counts: { accepted: number; duplicates: number }[];
  rows: { record_id: string; amount: unknown; commitment: string }[];
  expires: string[];
};

/** Runs the same uploads through one record store and returns what each reported and what is stored. */
async function ingest(store: Store, schema: string, master: Uint8Array, copy: boolean): Promise<Outcome> {
  await store.migrate(vaultRecordMigrations(schema));
  const records = new VaultRecords(
    store,
    schema,
    master,
    () => ({ max_record_bytes: 16 * 1024, quota_per_subject: 10_000, retention_ms: 30 * DAY }),
    { copy },
  );
  const V = 'vlt_dups';
  const counts: Outcome['counts'] = [];
  // Small direct insert (sealed on the calling thread), then the same records again with new ones.
  counts.push(
    await records.insert(
      V,
      range(0, 10).map((i) => record(i)),
      NOW,
    ),
  );
  counts.push(
    await records.insert(
      V,
      range(5, 15).map((i) => record(i)),
      NOW,
    ),
  );
  // A large upload (sealed in the worker, several parts) with old ids, an id twice (the first
  // copy, amount 1000, must win) and new ids.
  await records.beginUpload(V, 'upl_big');
  const big = [...range(12, 40).map((i) => record(i)), record(700, 1000), ...range(40, 600).map((i) => record(i))];
  big.splice(450, 0, record(700, 2000));
  await records.stageBatch('upl_big', big, NOW + DAY);
  await records.stageBatch(
    'upl_big',
    range(590, 620).map((i) => record(i)),
    NOW + DAY,
  );
  const { accepted, duplicates } = await records.commitUpload('upl_big');
  counts.push({ accepted, duplicates });
  // Nothing new at all.
  counts.push(
    await records.insert(
      V,
      range(100, 400).map((i) => record(i)),
      NOW,
    ),
  );
  const snapshot = await records.snapshot(V, await records.head(V));
  const expires = await store.query<{ expires_at: Date }>(
    `select expires_at from ${schema}.sealed_records order by seq`,
  );
  return {
    counts,
    rows: snapshot.map((r) => ({ record_id: r.record_id, amount: r.fields.total_amount, commitment: r.commitment })),
    expires: expires.map((r) => r.expires_at.toISOString()),
  };
}

describe('vault ingestion counts duplicates exactly', () => {
  let store: Store;
  before(async () => {
    store = await openTestPglite();
  });
  after(() => store.close());

  it('with COPY as with the insert statement', async () => {
    const master = await loadVaultMasterSecret(new MemoryKeyring(), 'node-dup');
    const copied = await ingest(store, 'node_dup_copy', master, true);
    const inserted = await ingest(store, 'node_dup_insert', master, false);
    assert.deepEqual(copied.counts, [
      { accepted: 10, duplicates: 0 },
      { accepted: 5, duplicates: 5 },
      { accepted: 606, duplicates: 14 },
      { accepted: 0, duplicates: 300 },
    ]);
    assert.deepEqual(copied, inserted);
    const ids = copied.rows.map((r) => r.record_id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(ids, [
      ...range(0, 15).map((i) => `rec_d${i}`),
      ...range(15, 40).map((i) => `rec_d${i}`),
      'rec_d700',
      ...range(40, 620).map((i) => `rec_d${i}`),
    ]);
    assert.equal(copied.rows.find((r) => r.record_id === 'rec_d700')!.amount, '1000.50');
    assert.equal(copied.expires[0], new Date(NOW + 30 * DAY).toISOString());
    assert.equal(copied.expires.at(-1), new Date(NOW + DAY + 30 * DAY).toISOString());
  });

  const postgres = serviceGate('postgres');
  it('on PostgreSQL as on PGlite', { skip: postgres.skip ?? false }, async () => {
    const database = await createTestDatabase(requireUrl(postgres));
    const pg = await PostgresStore.open({ connectionString: database.url });
    try {
      const master = await loadVaultMasterSecret(new MemoryKeyring(), 'node-dup');
      const onPostgres = await ingest(pg, 'node_dup_pg', master, true);
      const onPglite = await ingest(store, 'node_dup_pglite', master, true);
      assert.deepEqual(onPostgres, onPglite);
      assert.equal(onPostgres.rows.length, 621);
    } finally {
      await pg.close();
      await database.drop();
    }
  });
});
