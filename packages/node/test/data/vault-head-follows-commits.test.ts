/**
 * A Vault's committed head (the position executions snapshot at) is remembered between reads, and
 * never answers stale: a direct insert and a committed upload move it, an open or aborted upload
 * does not, and a head read while a commit is running is not remembered.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { loadVaultMasterSecret } from '../../src/data/vault-crypto.ts';
import { VaultRecords, vaultRecordMigrations } from '../../src/data/vault-records.ts';
import { openTestPglite } from '../support/pglite.ts';

const V = 'vlt_heads';
const record = (i: number) => ({
  record_id: `rec_h${i}`,
  subject: `act_s${i % 3}`,
  fields: { category: 'coffee', total_amount: `${i}.50`, merchant: `Kopi-${i}` },
});

describe('vault head', () => {
  let store: PgliteStore;
  let records: VaultRecords;
  const stored = async () =>
    Number(
      (
        await store.query<{ seq: bigint | null }>(
          `select max(commit_seq)::bigint as seq from node_h.uploads where vault_id = $1 and state = 'committed'`,
          [V],
        )
      )[0]?.seq ?? 0n,
    );

  before(async () => {
    store = await openTestPglite();
    await store.migrate(vaultRecordMigrations('node_h'));
    records = new VaultRecords(store, 'node_h', await loadVaultMasterSecret(new MemoryKeyring(), 'node-h'));
  });
  after(() => store.close());

  it('moves with every commit and stays put for open and aborted uploads', async () => {
    assert.equal(await records.head(V), 0);
    await records.insert(V, [record(1)]);
    const afterInsert = await records.head(V);
    assert.ok(afterInsert > 0);
    assert.equal(afterInsert, await stored());

    await records.beginUpload(V, 'upl_open');
    await records.stageBatch('upl_open', [record(2)]);
    assert.equal(await records.head(V), afterInsert, 'an open upload is invisible');
    await records.commitUpload('upl_open');
    const afterCommit = await records.head(V);
    assert.ok(afterCommit > afterInsert);
    assert.equal(afterCommit, await stored());

    await records.beginUpload(V, 'upl_aborted');
    await records.stageBatch('upl_aborted', [record(3)]);
    await records.abortUpload('upl_aborted');
    assert.equal(await records.head(V), afterCommit);
  });

  it('never remembers a head read while a commit runs', async () => {
    const before = await records.head(V);
    const inserting = records.insert(V, [record(4)]);
    const during = await records.head(V);
    await inserting;
    const after = await records.head(V);
    assert.ok(during === before || during === after);
    assert.equal(after, await stored());
    assert.ok(after > before);
  });
});
