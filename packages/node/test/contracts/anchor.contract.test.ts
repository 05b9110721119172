/**
 * The `Anchor` contract against every adapter: the local hash-chained ledger (PGlite) and the
 * settlement-anchor contract, compiled from source with solc-js, on an in-process EVM through viem.
 */
import { after } from 'node:test';
import { EvmAnchor } from '../../src/adapters/evm-anchor.ts';
import { LedgerAnchor } from '../../src/adapters/ledger-anchor.ts';
import { evmClients } from '../support/evm-clients.ts';
import { openTestPglite } from '../support/pglite.ts';
import { describeAnchorContract } from './anchor-contract.ts';

const NETWORK = 'scp-anchor-test';
let schemas = 0;
const store = openTestPglite();

describeAnchorContract('local anchor ledger', NETWORK, async () => {
  const s = await store;
  schemas += 1;
  return { subject: await LedgerAnchor.open(s, `anchor_contract_${schemas}`), cleanup: async () => {} };
});

describeAnchorContract('settlement-anchor contract on an in-process EVM', NETWORK, async () => {
  const clients = await evmClients();
  return { subject: await EvmAnchor.deploy(clients, NETWORK), cleanup: async () => {} };
});

after(async () => {
  await (await store).close();
});
