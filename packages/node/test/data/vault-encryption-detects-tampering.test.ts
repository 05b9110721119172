/**
 * The encrypted record store: records round-trip through envelope encryption; a changed ciphertext
 * byte, wrapped key or associated data (record id, Vault id, subject) is reported as a typed
 * `VaultCryptoError`, never decrypted into garbage; key rotation re-wraps without re-encrypting;
 * crypto-shredding a subject deletes its subject key, which makes its records unreadable (even
 * with their batch keys) while its batch neighbours stay readable, and writes an audit event.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { materializeRecords } from '../../src/data/materialize-records.ts';
import { loadVaultMasterSecret, VaultCryptoError } from '../../src/data/vault-crypto.ts';
import { VaultRecords, vaultRecordMigrations } from '../../src/data/vault-records.ts';
import { openTestPglite } from '../support/pglite.ts';

/** Every subject admitted: these tests are about encryption and retention, consent is tested elsewhere. */
const everyone = () => true;

const V = 'vlt_tamper';
const fields = (i: number) => ({ category: 'coffee', total_amount: `${i}.50`, merchant: `Kopi-${i}` });

describe('vault encryption', () => {
  let store: PgliteStore;
  let records: VaultRecords;
  let master: Buffer;

  before(async () => {
    store = await openTestPglite();
    await store.migrate(vaultRecordMigrations('node_t'));
    const keyring = new MemoryKeyring();
    master = await loadVaultMasterSecret(keyring, 'node-t');
    assert.deepEqual(master, await loadVaultMasterSecret(keyring, 'node-t'), 'the master secret is stable');
    records = new VaultRecords(store, 'node_t', master);
    await records.insert(
      V,
      Array.from({ length: 6 }, (_, i) => ({ record_id: `rec_r${i}`, subject: `act_s${i % 3}`, fields: fields(i) })),
    );
  });
  after(() => store.close());

  const fresh = () => new VaultRecords(store, 'node_t', master);
  const expectCode = async (code: string) => {
    await assert.rejects(
      fresh().snapshot(V, 1_000_000),
      (e: unknown) => e instanceof VaultCryptoError && e.code === code,
    );
  };

  it('stores no plaintext and reads records back', async () => {
    const raw = await store.query<{ ciphertext: Uint8Array }>('select ciphertext from node_t.sealed_records');
    assert.equal(raw.length, 6);
    for (const r of raw) assert.ok(!Buffer.from(r.ciphertext).toString('latin1').includes('Kopi'));
    const rows = await fresh().snapshot(V, 1_000_000);
    assert.deepEqual(
      rows.map((r) => r.fields),
      Array.from({ length: 6 }, (_, i) => fields(i)),
    );
  });

  it('detects a flipped ciphertext byte', async () => {
    await store.query(
      `update node_t.sealed_records set ciphertext = set_byte(ciphertext, 20, get_byte(ciphertext, 20) # 1) where record_id = 'rec_r1'`,
    );
    await expectCode('record_tampered');
  });

  it('detects a changed wrapped key and changed associated data', async () => {
    const t = await openTestPglite();
    await t.migrate(vaultRecordMigrations('node_t'));
    const r = new VaultRecords(t, 'node_t', master);
    await r.insert(V, [
      { record_id: 'rec_a', subject: 'act_a', fields: fields(1) },
      { record_id: 'rec_b', subject: 'act_b', fields: fields(2) },
    ]);
    const read = () => new VaultRecords(t, 'node_t', master).snapshot(V, 100);
    const rejects = (code: string) =>
      assert.rejects(
        read(),
        (e: unknown) => e instanceof VaultCryptoError && e.code === code && !/Kopi/.test(e.message),
      );
    await t.query(
      `update node_t.sealed_records set wrapped_key = set_byte(wrapped_key, 15, get_byte(wrapped_key, 15) # 128) where record_id = 'rec_a'`,
    );
    await rejects('wrapped_key_tampered');
    await t.query(`delete from node_t.sealed_records where record_id = 'rec_a'`);
    // Swapping the subject (associated data of the payload) is detected.
    await t.query(`update node_t.sealed_records set subject = 'act_z' where record_id = 'rec_b'`);
    await rejects('record_tampered');
    await t.query(`update node_t.sealed_records set subject = 'act_b' where record_id = 'rec_b'`);
    assert.equal((await read()).length, 1);
    // A changed subject key is detected.
    await t.query(
      `update node_t.subject_keys set wrapped_key = set_byte(wrapped_key, 20, get_byte(wrapped_key, 20) # 1) where subject = 'act_b'`,
    );
    await rejects('wrapped_key_tampered');
    await t.query(
      `update node_t.subject_keys set wrapped_key = set_byte(wrapped_key, 20, get_byte(wrapped_key, 20) # 1) where subject = 'act_b'`,
    );
    assert.equal((await read()).length, 1);
    // Moving a record to another id (associated data of the payload) is detected.
    await t.query(`update node_t.sealed_records set record_id = 'rec_c' where record_id = 'rec_b'`);
    await rejects('record_tampered');
    await t.query(
      `update node_t.sealed_records set record_id = 'rec_b', vault_id = 'vlt_other' where record_id = 'rec_c'`,
    );
    await t.query(`update node_t.uploads set vault_id = 'vlt_other'`);
    await assert.rejects(
      new VaultRecords(t, 'node_t', master).snapshot('vlt_other', 100),
      (e: unknown) => e instanceof VaultCryptoError && e.code === 'wrapped_key_tampered',
    );
    await t.close();
  });

  it('rotates the Vault key by re-wrapping, and shreds a subject with an audit event', async () => {
    const t = await openTestPglite();
    await t.migrate(vaultRecordMigrations('node_t'));
    const r = new VaultRecords(t, 'node_t', master);
    await r.insert(
      V,
      Array.from({ length: 5 }, (_, i) => ({ record_id: `rec_${i}`, subject: `act_s${i % 2}`, fields: fields(i) })),
    );
    const before = await t.query<{ ciphertext: Uint8Array; wrapped_key: Uint8Array }>(
      'select ciphertext, wrapped_key from node_t.sealed_records order by seq',
    );
    assert.deepEqual(await r.rotateKey(V), { version: 2, rewrapped: 5, subject_keys: 2 });
    const afterRotation = await t.query<{ ciphertext: Uint8Array; wrapped_key: Uint8Array; kek_version: number }>(
      'select ciphertext, wrapped_key, kek_version from node_t.sealed_records order by seq',
    );
    for (const [i, row] of afterRotation.entries()) {
      assert.deepEqual(row.ciphertext, before[i]!.ciphertext, 'payloads are not re-encrypted');
      assert.notDeepEqual(row.wrapped_key, before[i]!.wrapped_key, 'data keys are re-wrapped');
      assert.equal(row.kek_version, 2);
    }
    assert.equal((await new VaultRecords(t, 'node_t', master).snapshot(V, 100)).length, 5);
    await r.insert(V, [{ record_id: 'rec_new', subject: 'act_s0', fields: fields(9) }]);

    const keysBefore = await t.query<{ seq: number; wrapped_key: Uint8Array }>(
      `select seq, wrapped_key from node_t.sealed_records where subject = 'act_s0'`,
    );
    assert.deepEqual(await r.shredSubject(V, 'act_s0'), { shredded: 4 });
    const left = await new VaultRecords(t, 'node_t', master).snapshot(V, 100);
    assert.deepEqual(
      left.map((x) => x.subject),
      ['act_s1', 'act_s1'],
      'the batch neighbours of a shredded subject stay readable',
    );
    assert.equal((await t.query(`select 1 from node_t.subject_keys where subject = 'act_s0'`)).length, 0);
    // Putting the wrapped batch keys back does not help: without the subject key no payload key can be derived.
    for (const k of keysBefore)
      await t.query('update node_t.sealed_records set wrapped_key = $1 where seq = $2', [k.wrapped_key, k.seq]);
    await assert.rejects(
      new VaultRecords(t, 'node_t', master).snapshot(V, 100),
      (e: unknown) => e instanceof VaultCryptoError && e.code === 'record_tampered',
    );
    await t.query(`update node_t.sealed_records set wrapped_key = null where subject = 'act_s0'`);
    const m = await materializeRecords(new VaultRecords(t, 'node_t', master), {
      vault_id: V,
      as_of_seq: 100,
      as_of_ms: Date.now(),
      attributes: [{ attribute: 'total_amount', derivation: 'total_amount' }],
      admissible: everyone,
    });
    assert.deepEqual(m.rows, [
      { subject: 'act_s1', fields: { total_amount: '1.50' } },
      { subject: 'act_s1', fields: { total_amount: '3.50' } },
    ]);
    const audit = await r.auditEvents(V);
    assert.deepEqual(audit.at(-1), { kind: 'subject_shredded', detail: { subject: 'act_s0', records: 4 } });
    await t.close();
  });

  it('expires records after their retention: not materialized, then purged with an audit event', async () => {
    const r = new VaultRecords(store, 'node_t', master, () => ({
      max_record_bytes: 16 * 1024,
      quota_per_subject: 100,
      retention_ms: 60_000,
    }));
    const t0 = Date.parse('2026-11-01T00:00:00Z');
    await r.insert('vlt_ret', [{ record_id: 'rec_old', subject: 'act_a', fields: fields(1) }], t0);
    await r.insert('vlt_ret', [{ record_id: 'rec_new', subject: 'act_a', fields: fields(2) }], t0 + 50_000);
    const head = await r.head('vlt_ret');
    const read = (asOf: number) =>
      materializeRecords(new VaultRecords(store, 'node_t', master), {
        vault_id: 'vlt_ret',
        as_of_seq: head,
        as_of_ms: asOf,
        attributes: [{ attribute: 'total_amount', derivation: 'total_amount' }],
        admissible: everyone,
      });
    assert.equal((await read(t0 + 30_000)).record_count, 2);
    assert.equal((await read(t0 + 70_000)).record_count, 1, 'an expired record is not read');
    const refusing = await materializeRecords(new VaultRecords(store, 'node_t', master), {
      vault_id: 'vlt_ret',
      as_of_seq: head,
      as_of_ms: t0,
      attributes: [{ attribute: 'total_amount', derivation: 'total_amount' }],
      admissible: (s) => s !== 'act_a',
    });
    assert.deepEqual([refusing.record_count, refusing.refused], [0, 2], 'the admissibility predicate filters subjects');
    assert.equal(await r.purgeExpired('vlt_ret', t0 + 70_000), 1);
    assert.equal(await r.count('vlt_ret'), 1);
    assert.deepEqual((await r.auditEvents('vlt_ret')).at(-1), { kind: 'records_expired', detail: { records: 1 } });
  });
});
