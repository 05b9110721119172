/** The `ProtocolLog` contract against every adapter: memory, SQL on PGlite, SQL on PostgreSQL, JetStream, another thread's log. */
import { after } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { jetstreamManager } from '@nats-io/jetstream';
import { JetStreamProtocolLog } from '../../src/adapters/jetstream-protocol-log.ts';
import { MemoryProtocolLog } from '../../src/adapters/memory-protocol-log.ts';
import { PostgresStore } from '../../src/adapters/postgres-store.ts';
import { SqlProtocolLog } from '../../src/adapters/sql-protocol-log.ts';
import { type ServedProtocolLog, serveProtocolLog, ThreadProtocolLog } from '../../src/adapters/thread-protocol-log.ts';
import type { ProtocolLog } from '../../src/ports/protocol-log.ts';
import { openTestPglite } from '../support/pglite.ts';
import {
  connectTestNats,
  createTestDatabase,
  requireUrl,
  serviceGate,
  type TestDatabase,
  type TestNats,
  uniqueName,
} from '../support/services.ts';
import { describeProtocolLogContract } from './protocol-log-contract.ts';

/** Opens a shared resource on first use and registers its release after the file's tests. */
function shared<T>(open: () => Promise<T>, release: (value: T) => Promise<void>): () => Promise<T> {
  let value: Promise<T> | undefined;
  after(async () => {
    // A failed open (a missing service under CI) has already failed the tests that needed it.
    const opened = await value?.catch(() => undefined);
    if (opened !== undefined) await release(opened);
  });
  return () => {
    value ??= open();
    return value;
  };
}

describeProtocolLogContract('memory', async () => {
  const log = new MemoryProtocolLog();
  return { subject: log, cleanup: () => log.close() };
});

// One PGlite for the whole suite (an instance costs seconds and ~200 MB); each test gets its own table.
const pglite = shared(
  () => openTestPglite(),
  (store) => store.close(),
);
describeProtocolLogContract('sql on pglite', async () => {
  const store = await pglite();
  const table = uniqueName('log');
  const opened: ProtocolLog[] = [];
  const open = async () => {
    const log = await SqlProtocolLog.open({ store, table, pollIntervalMs: 50 });
    opened.push(log);
    return log;
  };
  return {
    subject: await open(),
    reopen: open,
    async cleanup() {
      await Promise.all(opened.map((log) => log.close()));
      await store.query(`drop table if exists ${table}`);
    },
  };
});

const postgresGate = serviceGate('postgres');
const database = shared<TestDatabase>(
  () => createTestDatabase(requireUrl(postgresGate)),
  (db) => db.drop(),
);
const postgres = shared(
  async () => PostgresStore.open({ connectionString: (await database()).url }),
  (store) => store.close(),
);
describeProtocolLogContract(
  'sql on postgresql',
  async () => {
    const store = await postgres();
    const table = uniqueName('log');
    const logs: ProtocolLog[] = [];
    const stores: PostgresStore[] = [];
    const log = await SqlProtocolLog.open({ store, table, pollIntervalMs: 50 });
    logs.push(log);
    return {
      subject: log,
      // A second pool, as another process would have.
      async reopen() {
        const other = await PostgresStore.open({ connectionString: (await database()).url, maxConnections: 2 });
        stores.push(other);
        const again = await SqlProtocolLog.open({ store: other, table, pollIntervalMs: 50 });
        logs.push(again);
        return again;
      },
      async cleanup() {
        await Promise.all(logs.map((l) => l.close()));
        await Promise.all(stores.map((s) => s.close()));
        await store.query(`drop table if exists ${table}`);
      },
    };
  },
  { skip: postgresGate.skip },
);

const natsGate = serviceGate('nats');
const nats = shared<TestNats>(
  () => connectTestNats(requireUrl(natsGate)),
  (n) => n.cleanup(),
);
describeProtocolLogContract(
  'jetstream',
  async () => {
    const n = await nats();
    const prefix = uniqueName(n.prefix);
    const logs: ProtocolLog[] = [];
    const log = await JetStreamProtocolLog.open({ connection: n.connection, prefix });
    logs.push(log);
    return {
      subject: log,
      // Another connection, as another process would have.
      async reopen() {
        const again = await JetStreamProtocolLog.open({ connection: await n.connect(), prefix });
        logs.push(again);
        return again;
      },
      async cleanup() {
        await Promise.all(logs.map((l) => l.close()));
        await (await jetstreamManager(n.connection)).streams.delete(log.stream);
      },
    };
  },
  { skip: natsGate.skip },
);

// The client of a log served over a MessagePort (here both ends on this thread; the embedded
// network's pipeline worker is the other thread). `reopen` is a second client of the same log.
describeProtocolLogContract('thread client of a served log (over sql on pglite)', async () => {
  const store = await pglite();
  const table = uniqueName('log');
  const owner = await SqlProtocolLog.open({ store, table, pollIntervalMs: 50 });
  const served: ServedProtocolLog[] = [];
  const clients: ProtocolLog[] = [];
  const open = async () => {
    const { port1, port2 } = new MessageChannel();
    served.push(serveProtocolLog(owner, port1));
    const client = new ThreadProtocolLog(port2, { pollIntervalMs: 50 });
    clients.push(client);
    return client;
  };
  return {
    subject: await open(),
    reopen: open,
    async cleanup() {
      await Promise.all(clients.map((log) => log.close()));
      await Promise.all(served.map((s) => s.close()));
      await owner.close();
      await store.query(`drop table if exists ${table}`);
    },
  };
});
