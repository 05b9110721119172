/**
 * The `Anchor` contract against every adapter: the local hash-chained ledger (on PGlite and on
 * PostgreSQL) and the settlement-anchor contract, compiled from source with solc-js, on an
 * in-process EVM through viem.
 */
import { after } from 'node:test';
import { EvmAnchor } from '../../src/adapters/evm-anchor.ts';
import { LedgerAnchor } from '../../src/adapters/ledger-anchor.ts';
import { PostgresStore } from '../../src/adapters/postgres-store.ts';
import { evmClients } from '../support/evm-clients.ts';
import { openTestPglite } from '../support/pglite.ts';
import { createTestDatabase, requireUrl, serviceGate } from '../support/services.ts';
import { describeAnchorContract } from './anchor-contract.ts';

const NETWORK = 'scp-anchor-test';
let schemas = 0;
const store = openTestPglite();

describeAnchorContract('local anchor ledger on pglite', NETWORK, async () => {
  const s = await store;
  schemas += 1;
  return { subject: await LedgerAnchor.open(s, `anchor_contract_${schemas}`), cleanup: async () => {} };
});

const postgresGate = serviceGate('postgres');
describeAnchorContract(
  'local anchor ledger on postgresql',
  NETWORK,
  async () => {
    const database = await createTestDatabase(requireUrl(postgresGate));
    const pg = await PostgresStore.open({ connectionString: database.url });
    return {
      subject: await LedgerAnchor.open(pg, 'anchor_contract'),
      async cleanup() {
        await pg.close();
        await database.drop();
      },
    };
  },
  { skip: postgresGate.skip },
);

describeAnchorContract('settlement-anchor contract on an in-process EVM', NETWORK, async () => {
  const clients = await evmClients();
  return { subject: await EvmAnchor.deploy(clients, NETWORK), cleanup: async () => {} };
});

after(async () => {
  await (await store).close();
});
