/**
 * The Vault a replay reads: stored once on disk under `dataDir`, then opened by every fresh
 * process that replays against it. Records are sealed under random data keys and IVs (their
 * commitment salts derive from the node key), so a replay reads the same stored snapshot (as a
 * verifier does), never a re-ingested copy.
 * Processes that share a `dataDir` must run one after another (PGlite is single-process).
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordInput } from '@symphony/api';
import { FileKeyring } from '../../src/adapters/file-keyring.ts';
import { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { loadVaultMasterSecret } from '../../src/data/vault-crypto.ts';
import { VaultRecords, vaultRecordMigrations } from '../../src/data/vault-records.ts';
import { openTestPglite } from './pglite.ts';

export async function openReplayVault(opts: {
  dataDir: string;
  schema: string;
  nodeKeyName: string;
  vault_id: string;
  records: () => RecordInput[];
}) {
  const dir = join(opts.dataDir, 'vault-db');
  const exists = await access(dir).then(
    () => true,
    () => false,
  );
  const store = exists ? await PgliteStore.open({ dataDir: dir }) : await openTestPglite({ dataDir: dir });
  await store.migrate(vaultRecordMigrations(opts.schema));
  const keyring = new FileKeyring({ dataDir: opts.dataDir });
  const records = new VaultRecords(store, opts.schema, await loadVaultMasterSecret(keyring, opts.nodeKeyName));
  if (!exists) await records.insert(opts.vault_id, opts.records());
  return { store, keyring, records };
}
