/**
 * Record commitment salts are derived, not drawn (docs/protocol.md section 12a): the same records
 * ingested on the same node key commit the same in two stores (so a seeded input gives the same
 * snapshot roots on every deployment), another node key commits them otherwise, and the salt is
 * not a function of the public facts alone. The sealed payloads stay randomized (fresh data keys
 * and IVs), and each commitment opens with the derived salt.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sha256Hex } from '@symphony/protocol';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { deriveSaltKey, loadVaultMasterSecret, recordSalt } from '../../src/data/vault-crypto.ts';
import { recordCommitment, VaultRecords, vaultRecordMigrations } from '../../src/data/vault-records.ts';
import { openTestPglite } from '../support/pglite.ts';

const V = 'vlt_salted';
const SCHEMA = 'node_s';
const input = Array.from({ length: 8 }, (_, i) => ({
  subject: `act_s${i % 3}`,
  fields: { category: i % 2 ? 'coffee' : 'grocery', total_amount: `${i}.50` },
}));

type Row = { record_id: string; commitment: string; ciphertext: Uint8Array; wrapped_key: Uint8Array };

async function ingest(master: Buffer): Promise<{ rows: Row[]; store: PgliteStore; records: VaultRecords }> {
  const store = await openTestPglite();
  await store.migrate(vaultRecordMigrations(SCHEMA));
  const records = new VaultRecords(store, SCHEMA, master);
  await records.insert(V, input);
  const rows = await store.query<Row>(
    `select record_id, commitment, ciphertext, wrapped_key from ${SCHEMA}.sealed_records order by record_id`,
  );
  return { rows, store, records };
}

describe('record commitments: keyed salts, reproducible on one key', () => {
  let master: Buffer;
  let other: Buffer;
  const stores: PgliteStore[] = [];

  before(async () => {
    const keyring = new MemoryKeyring();
    master = await loadVaultMasterSecret(keyring, 'node-s');
    other = await loadVaultMasterSecret(keyring, 'node-other');
  });
  after(async () => {
    for (const s of stores) await s.close();
  });

  it('gives the same commitments and snapshot root on the same key, other ones on another key', async () => {
    const a = await ingest(master);
    const b = await ingest(master);
    const c = await ingest(other);
    stores.push(a.store, b.store, c.store);
    assert.equal(a.rows.length, input.length);
    assert.deepEqual(
      a.rows.map((r) => r.commitment),
      b.rows.map((r) => r.commitment),
    );
    assert.deepEqual(await a.records.commitments(V, 1), await b.records.commitments(V, 1));
    for (const [i, r] of c.rows.entries()) assert.notEqual(r.commitment, a.rows[i]!.commitment);
    // The payloads are still sealed under fresh data keys and IVs.
    for (const [i, r] of a.rows.entries()) {
      assert.notDeepEqual(Buffer.from(r.ciphertext), Buffer.from(b.rows[i]!.ciphertext));
      assert.notDeepEqual(Buffer.from(r.wrapped_key), Buffer.from(b.rows[i]!.wrapped_key));
    }
  });

  it('commits each record with the derived salt, and an unkeyed guess of the salt does not open it', async () => {
    const { store, records } = await ingest(master);
    stores.push(store);
    const opened = await records.snapshot(V, await records.head(V));
    assert.equal(opened.length, input.length);
    for (const r of opened) {
      const salt = recordSalt(
        deriveSaltKey(master),
        { vaultId: V, recordId: r.record_id, subject: r.subject },
        r.fields,
      );
      assert.match(salt, /^[0-9a-f]{32}$/);
      assert.equal(r.commitment, recordCommitment(V, r.record_id, r.subject, r.fields, salt));
      // Whoever knows the fields but not the node key cannot reproduce it: an unkeyed guess fails.
      const unkeyed = sha256Hex(new TextEncoder().encode(`${V}/${r.record_id}`)).slice(0, 32);
      assert.notEqual(r.commitment, recordCommitment(V, r.record_id, r.subject, r.fields, unkeyed));
    }
  });
});
