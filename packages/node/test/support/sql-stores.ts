/**
 * The SQL stores a store-level suite runs against: a fresh PGlite, and a fresh PostgreSQL database
 * through `DATABASE_URL` (skipped with a reason outside CI when it is not set; a failure in CI).
 */
import { PostgresStore } from '../../src/adapters/postgres-store.ts';
import type { Store } from '../../src/ports/store.ts';
import { openTestPglite } from './pglite.ts';
import { createTestDatabase, requireUrl, serviceGate } from './services.ts';

export type SqlStoreCase = {
  readonly name: string;
  readonly skip?: string;
  open(): Promise<{ store: Store; drop: () => Promise<void> }>;
};

const postgres = serviceGate('postgres');

export const sqlStores: readonly SqlStoreCase[] = [
  {
    name: 'PGlite',
    open: async () => {
      const store = await openTestPglite();
      return { store, drop: () => store.close() };
    },
  },
  {
    name: 'PostgreSQL',
    ...(postgres.skip ? { skip: postgres.skip } : {}),
    open: async () => {
      const database = await createTestDatabase(requireUrl(postgres));
      const store = await PostgresStore.open({ connectionString: database.url });
      return {
        store,
        drop: async () => {
          await store.close();
          await database.drop();
        },
      };
    },
  },
];
