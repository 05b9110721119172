/** The `Store` contract against every adapter: PGlite in memory, PGlite on disk, PostgreSQL. */
import { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { PostgresStore } from '../../src/adapters/postgres-store.ts';
import type { Store } from '../../src/ports/store.ts';
import { openTestPglite } from '../support/pglite.ts';
import { createTempDir, createTestDatabase, requireUrl, serviceGate } from '../support/services.ts';
import { describeStoreContract } from './store-contract.ts';

describeStoreContract('pglite in memory', async () => {
  const store = await openTestPglite();
  return { subject: store, cleanup: () => store.close() };
});

describeStoreContract('pglite on disk', async () => {
  const dir = await createTempDir('scs-pglite-');
  let store: Store = await openTestPglite({ dataDir: dir.path });
  return {
    subject: store,
    async reopen() {
      await store.close();
      store = await PgliteStore.open({ dataDir: dir.path });
      return store;
    },
    async cleanup() {
      await store.close();
      await dir.cleanup();
    },
  };
});

const postgresGate = serviceGate('postgres');
describeStoreContract(
  'postgresql',
  async () => {
    const database = await createTestDatabase(requireUrl(postgresGate));
    let store: Store = await PostgresStore.open({ connectionString: database.url });
    return {
      subject: store,
      async reopen() {
        await store.close();
        store = await PostgresStore.open({ connectionString: database.url });
        return store;
      },
      async cleanup() {
        await store.close();
        await database.drop();
      },
    };
  },
  { skip: postgresGate.skip },
);
