/**
 * `vault_snapshot_published`: a Vault's commitment root for the open epoch, signed by its hosting
 * node, is recorded once per epoch; a wrong node, a bad signature, a past or repeated epoch and an
 * unknown Vault are refused without changing the state.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { digestBytes, domainHash, type ProtocolEvent } from '../src/index.ts';
import { NetworkFixture } from './support/network-fixture.ts';

const ROOT = 'ab'.repeat(32);

function snapshotEvent(
  net: NetworkFixture,
  over: Partial<{ vault_id: string; node_id: string; epoch_id: number; signer: string }> = {},
): ProtocolEvent {
  const snapshot = {
    vault_id: over.vault_id ?? 'vlt_a1',
    node_id: over.node_id ?? 'node_ent-a',
    epoch_id: over.epoch_id ?? net.state.current_epoch,
    record_count: 42,
    commitments_root: ROOT,
  };
  const key = net.enterprise.get(over.signer ?? 'node_ent-a')!;
  return {
    type: 'vault_snapshot_published',
    snapshot,
    signature: key.sign(digestBytes(domainHash('scp/v1/vault-snapshot', snapshot))),
  };
}

describe('reducer: vault snapshot roots', () => {
  it('records a signed root once per Vault and epoch, and refuses everything else', () => {
    const net = new NetworkFixture()
      .genesis()
      .enterpriseNode('node_ent-a', ['vlt_a1'])
      .enterpriseNode('node_ent-b', ['vlt_b1']);
    const refused = (e: ProtocolEvent, code: string) => {
      const outcome = net.append(e);
      assert.equal(outcome.kind, 'ignored');
      assert.equal(outcome.kind === 'ignored' && outcome.refusal.code, code);
    };
    refused(snapshotEvent(net, { signer: 'node_ent-b' }), 'bad_signature');
    refused(snapshotEvent(net, { node_id: 'node_ent-b', signer: 'node_ent-b' }), 'wrong_node');
    refused(snapshotEvent(net, { vault_id: 'vlt_nowhere' }), 'unknown_vault');
    refused(snapshotEvent(net, { epoch_id: net.state.current_epoch + 1 }), 'wrong_epoch');
    const good = snapshotEvent(net);
    if (good.type !== 'vault_snapshot_published') throw new Error('unreachable');
    refused({ ...good, snapshot: { ...good.snapshot, record_count: 43 } }, 'bad_signature');
    assert.equal(net.state.vaults.vlt_a1!.last_snapshot, undefined);
    net.must(snapshotEvent(net));
    assert.deepEqual(
      { ...net.state.vaults.vlt_a1!.last_snapshot!, seq: 0 },
      { epoch_id: net.state.current_epoch, record_count: 42, commitments_root: ROOT, seq: 0 },
    );
    refused(snapshotEvent(net), 'duplicate_snapshot');
  });
});
