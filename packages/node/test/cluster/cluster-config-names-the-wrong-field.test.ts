/**
 * A cluster node's configuration is checked before anything starts: every mistake is refused with
 * the field it concerns; relative paths are taken from the file's folder. And networks sharing one
 * NATS server do not hear each other: a prefixed bus answers only requests of its own network.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryBroker } from '../../src/adapters/memory-bus.ts';
import { PrefixedBus } from '../../src/adapters/prefixed-bus.ts';
import { ClusterConfigError, parseClusterConfig } from '../../src/roles/cluster-config.ts';

const valid = {
  node_id: 'node_master-1',
  role: 'master',
  operator: 'act_master-1',
  identity_dir: 'master-1',
  database_url: 'postgres://postgres@127.0.0.1:5432/m1',
  nats_url: 'nats://127.0.0.1:4222',
  network: 'scs_cluster_x',
  listen: { host: '127.0.0.1', port: 7101 },
  coordinator: true,
};

const refusedField = (raw: unknown): string => {
  try {
    parseClusterConfig(raw, '/etc/symphony');
  } catch (error) {
    assert.ok(error instanceof ClusterConfigError);
    return error.field;
  }
  assert.fail('the configuration was accepted');
};

describe('cluster node configuration', () => {
  it('accepts a valid file and resolves paths from its folder', () => {
    const c = parseClusterConfig(valid, '/etc/symphony');
    assert.equal(c.identity_dir, '/etc/symphony/master-1');
    assert.equal(c.coordinator, true);
  });

  it('names the field of each mistake', () => {
    assert.equal(refusedField({ ...valid, surprise: 1 }), 'surprise');
    assert.equal(refusedField({ ...valid, role: 'verifier' }), 'role');
    assert.equal(refusedField({ ...valid, listen: { host: '127.0.0.1', port: 70000 } }), 'listen.port');
    assert.equal(refusedField({ ...valid, database_url: 'mysql://x/y' }), 'database_url');
    assert.equal(refusedField({ ...valid, nats_url: 'not a url' }), 'nats_url');
    assert.equal(refusedField({ ...valid, network: 'a.b' }), 'network');
    assert.equal(refusedField({ ...valid, role: 'enterprise', coordinator: undefined }), 'vaults');
    assert.equal(refusedField({ ...valid, vaults: [{ vault_id: 'vlt_a' }] }), 'vaults');
    assert.equal(
      refusedField({ ...valid, role: 'enterprise', coordinator: undefined, vaults: [{ vault_id: 'nope' }] }),
      'vaults[0].vault_id',
    );
    assert.equal(
      refusedField({ ...valid, peers: [{ node_id: 'node_x', role: 'master', url: 'ftp://x' }] }),
      'peers[0].url',
    );
    assert.equal(refusedField({ ...valid, fixed_clock_ms: -1 }), 'fixed_clock_ms');
  });
});

describe('prefixed bus', () => {
  it('keeps two networks on one server apart', async () => {
    const broker = new MemoryBroker();
    const a = new PrefixedBus(broker.connect(), 'net_a');
    const b = new PrefixedBus(broker.connect(), 'net_b');
    const client = new PrefixedBus(broker.connect(), 'net_a');
    await a.serve('scs.enterprise.node_x.status', () => ({ network: 'a' }));
    await b.serve('scs.enterprise.node_x.status', () => ({ network: 'b' }));
    assert.deepEqual(await client.request('scs.enterprise.node_x.status', {}, { timeoutMs: 1000 }), { network: 'a' });
    assert.equal(a.served, 1);
    assert.equal(b.served, 0);
    await Promise.all([a.close(), b.close(), client.close()]);
  });
});
