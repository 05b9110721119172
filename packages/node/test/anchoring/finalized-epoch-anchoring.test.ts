/**
 * Wiring: when an epoch finalizes, every master records its accounting and anchors the certified
 * roots through the anchor configured on it: here the coordinator anchors on the settlement-anchor
 * contract (in-process EVM, through viem), the other masters in their local anchor ledgers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { statementHash } from '@symphony/protocol';
import { EvmAnchor } from '../../src/adapters/evm-anchor.ts';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { EMBEDDED_TOPOLOGY } from '../../src/roles/network-topology.ts';
import { evmClients } from '../support/evm-clients.ts';
import { openTestPglite } from '../support/pglite.ts';
import { delay } from '../support/wait.ts';

describe('anchoring a finalized epoch', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  let chain: EvmAnchor;

  before(async () => {
    store = await openTestPglite();
    const coordinator = EMBEDDED_TOPOLOGY.masters[0]!.node_id;
    net = await openEmbeddedNetwork({
      store,
      keyring: new MemoryKeyring(),
      pollIntervalMs: 20,
      anchorFor: async (nodeId) => {
        if (nodeId !== coordinator) return undefined;
        chain = await EvmAnchor.deploy(await evmClients(), EMBEDDED_TOPOLOGY.network_id);
        return chain;
      },
    });
  });

  after(async () => {
    await net.close();
    await store.close();
  });

  it('anchors the certificate on chain (coordinator) and in each other master ledger, and records the accounting', async () => {
    const closed = await net.coordinator.service.closeEpoch();
    const epoch = closed.closed_epoch;
    const end = Date.now() + 60_000;
    while (net.coordinator.follower.state.settlements[epoch]?.state !== 'finalized') {
      if (Date.now() > end) throw new Error('the epoch did not finalize');
      await delay(50);
    }
    const statement = net.coordinator.follower.state.settlements[epoch]!.certificate!.statement;
    const expected = {
      network_id: statement.network_id,
      epoch_id: epoch,
      settlement_root: statement.settlement_root,
      rewards_root: statement.rewards_root,
      statement_hash: statementHash(statement),
    };
    for (const m of net.masters) {
      while (!(await m.anchor.read(epoch))) {
        if (Date.now() > end) throw new Error(`${m.nodeId} did not anchor epoch ${epoch}`);
        await delay(50);
      }
      assert.equal((await m.anchor.verify(expected)).ok, true, m.nodeId);
      assert.equal(m.anchor.kind, m === net.coordinator ? 'evm' : 'ledger');
      assert.equal(await m.accounting.has(epoch), true);
    }
    const onChain = await chain.read(epoch);
    assert.equal(onChain?.settlement_root, statement.settlement_root);
    assert.equal(onChain?.statement_hash, statementHash(statement));

    const view = await net.coordinator.service.assurance!.anchor(epoch);
    assert.equal(view.adapter, 'evm');
    assert.equal(view.verified, true);
    const other = await net.masters[1]!.anchor.read(epoch);
    assert.equal(other?.adapter, 'ledger');
  });
});
