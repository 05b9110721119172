/**
 * The decrypted-snapshot memory of a node: a query of a later snapshot decrypts only the uploads
 * committed since the latest snapshot in memory, and reads exactly what a fresh node decrypting
 * everything reads; a position past the head reads the head and does not hide later commits; room
 * is made by dropping superseded snapshots first; shredding empties the memory (a shredded record is never served from it).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { loadVaultMasterSecret } from '../../src/data/vault-crypto.ts';
import { VaultRecords, vaultRecordMigrations } from '../../src/data/vault-records.ts';
import { openTestPglite } from '../support/pglite.ts';

const V = 'vlt_incr';
const batch = (from: number, n: number) =>
  Array.from({ length: n }, (_, j) => ({
    record_id: `rec_r${from + j}`,
    subject: `act_s${(from + j) % 7}`,
    fields: { amount: `${from + j}.25` },
  }));

describe('decrypted snapshots in memory', () => {
  let store: PgliteStore;
  let master: Buffer;
  let opened = 0;
  before(async () => {
    store = await openTestPglite();
    await store.migrate(vaultRecordMigrations('node_i'));
    master = await loadVaultMasterSecret(new MemoryKeyring(), 'node-i');
    VaultRecords.onOpen = () => {
      opened++;
    };
  });
  afterEach(() => {
    opened = 0;
  });
  after(async () => {
    VaultRecords.onOpen = undefined;
    await store.close();
  });

  it('decrypts only the uploads committed since the snapshot in memory', async () => {
    const node = new VaultRecords(store, 'node_i', master);
    await node.insert(V, batch(0, 30));
    const first = await node.snapshot(V, await node.head(V));
    assert.equal(opened, 30);
    opened = 0;
    assert.equal(await node.snapshot(V, await node.head(V)), first, 'the same snapshot is served from memory');
    assert.equal(opened, 0);
    await node.insert(V, batch(30, 5));
    await node.insert(V, batch(35, 4));
    const later = await node.snapshot(V, await node.head(V));
    assert.equal(opened, 9, 'only the 9 new records are decrypted');
    opened = 0;
    const fresh = await new VaultRecords(store, 'node_i', master).snapshot(V, await node.head(V));
    assert.equal(opened, 39);
    assert.deepEqual(later, fresh, 'the extended snapshot equals a fresh one, in the same order');
    // The earlier snapshot is unchanged by the extension.
    assert.equal(first.length, 30);
  });

  it('reads a position past the head as the head, and later commits are not hidden', async () => {
    const node = new VaultRecords(store, 'node_i', master);
    const head = await node.head(V);
    const past = await node.snapshot(V, head + 1_000);
    await node.insert(V, batch(100, 3));
    opened = 0;
    const again = await node.snapshot(V, head + 1_000);
    assert.equal(again.length, past.length + 3);
    assert.equal(opened, 3);
  });

  it('makes room by dropping the superseded snapshot of the same Vault before another Vault', async () => {
    const node = new VaultRecords(store, 'node_i', master, undefined, { snapshotCacheRows: 80 });
    const W = 'vlt_other';
    await node.insert(W, batch(500, 5));
    // The other Vault enters the memory first: dropping the oldest would drop it.
    await node.snapshot(W, await node.head(W));
    const a = (await node.snapshot(V, await node.head(V))).length;
    assert.ok(a + 5 <= 80 && 2 * a + 5 > 80, `${a} records in ${V}`);
    await node.insert(V, batch(600, 2));
    opened = 0;
    await node.snapshot(V, await node.head(V));
    assert.equal(opened, 2, 'the extension decrypts only the new upload');
    await node.snapshot(W, await node.head(W));
    assert.equal(opened, 2, 'the other Vault is still in memory');
  });

  it('never serves a shredded record from memory', async () => {
    const node = new VaultRecords(store, 'node_i', master);
    const before = await node.snapshot(V, await node.head(V));
    assert.ok(before.some((r) => r.subject === 'act_s3'));
    await node.shredSubject(V, 'act_s3');
    await node.insert(V, batch(200, 2));
    const after = await node.snapshot(V, await node.head(V));
    assert.ok(!after.some((r) => r.subject === 'act_s3'));
    assert.deepEqual(after, await new VaultRecords(store, 'node_i', master).snapshot(V, await node.head(V)));
  });
});
