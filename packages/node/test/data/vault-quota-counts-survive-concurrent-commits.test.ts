/**
 * An upload's commit adds its new rows per subject to the Vault's per-producer counts: subjects
 * already counted are updated and new ones inserted plainly. On PostgreSQL another transaction may
 * insert the count of one of those new subjects while the commit runs; the commit must then still
 * add to it (no lost count, no failed commit), and the quota must see the sum.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordInput } from '@symphony/api';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import { PostgresStore } from '../../src/adapters/postgres-store.ts';
import { loadVaultMasterSecret } from '../../src/data/vault-crypto.ts';
import { RecordRefused, VaultRecords, vaultRecordMigrations } from '../../src/data/vault-records.ts';
import { createTestDatabase, requireUrl, serviceGate } from '../support/services.ts';
import { delay } from '../support/wait.ts';

const V = 'vlt_counts';
const S = 'node_counts';
const record = (i: number, subject: string): RecordInput => ({
  record_id: `rec_c${i}`,
  subject,
  fields: { category: 'coffee', total_amount: `${i}.50`, merchant: `Kopi-${i}` },
});

const postgres = serviceGate('postgres');
describe('vault quota counts under concurrent commits', { skip: postgres.skip ?? false }, () => {
  it('adds to a count inserted by another transaction while the commit runs', async () => {
    const database = await createTestDatabase(requireUrl(postgres));
    const pg = await PostgresStore.open({ connectionString: database.url });
    try {
      await pg.migrate(vaultRecordMigrations(S));
      const master = await loadVaultMasterSecret(new MemoryKeyring(), 'node-counts');
      const records = new VaultRecords(pg, S, master, () => ({ max_record_bytes: 16 * 1024, quota_per_subject: 12 }));
      const count = async (subject: string) =>
        (
          await pg.query<{ n: bigint }>(`select n from ${S}.subject_counts where vault_id = $1 and subject = $2`, [
            V,
            subject,
          ])
        ).map((r) => Number(r.n));

      await records.beginUpload(V, 'upl_a');
      await records.stageBatch('upl_a', [
        ...Array.from({ length: 5 }, (_, i) => record(i, 'act_x')),
        record(5, 'act_y'),
      ]);
      // Another transaction inserts the count of `act_x` (new to the commit) and holds it open.
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let holding!: () => void;
      const held = new Promise<void>((resolve) => {
        holding = resolve;
      });
      const other = pg.transaction(async (tx) => {
        await tx.query(`insert into ${S}.subject_counts (vault_id, subject, n) values ($1, 'act_x', 7)`, [V]);
        holding();
        await gate;
      });
      await held;
      const commit = records.commitUpload('upl_a');
      // The commit waits on the other transaction's row; it commits, and the commit goes on.
      await delay(300);
      release();
      await other;
      assert.deepEqual(await commit, { vault_id: V, accepted: 6, duplicates: 0 });
      assert.deepEqual(await count('act_x'), [12]);
      assert.deepEqual(await count('act_y'), [1]);

      // The quota sees the sum: one more record of `act_x` is over it, and nothing of that upload counts.
      await records.beginUpload(V, 'upl_b');
      await records.stageBatch('upl_b', [record(6, 'act_x'), record(7, 'act_y')]);
      await assert.rejects(
        records.commitUpload('upl_b'),
        (e: unknown) => e instanceof RecordRefused && e.code === 'quota_exceeded',
      );
      assert.deepEqual(await count('act_x'), [12]);
      assert.deepEqual(await count('act_y'), [1]);
    } finally {
      await pg.close();
      await database.drop();
    }
  });
});
