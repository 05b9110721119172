/**
 * The enterprise RPC over NATS, not only the in-memory bus: each node of an embedded network has
 * its own NATS connection (node ids unique to this run, so its subjects `scs.enterprise.<node>.*`
 * are its own on a shared server). Through the HTTP edge, JSON, CSV, NDJSON and a document are
 * uploaded over NATS; the Vault's figures in the API and the Prometheus gauges are current (records
 * added on the node behind the master's back show at the next scrape); and closing an epoch makes
 * each enterprise node publish its Vaults' snapshot roots into the log by itself.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import { NatsBus } from '../../src/adapters/nats-bus.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { createHttpServer } from '../../src/application/http-server.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { EMBEDDED_TOPOLOGY, type Topology } from '../../src/roles/network-topology.ts';
import { openTestPglite } from '../support/pglite.ts';
import { connectTestNats, requireUrl, serviceGate, type TestNats } from '../support/services.ts';
import { waitFor } from '../support/wait.ts';

const gate = serviceGate('nats');
const V = 'vlt_lioncity-app';

describe('Vault uploads over NATS; snapshot roots published at each epoch close', { skip: gate.skip }, () => {
  let store: PgliteStore;
  let nats: TestNats;
  let net: EmbeddedNetwork;
  let http: FastifyInstance;
  const connections: { close(): Promise<void> }[] = [];
  const run = randomBytes(4).toString('hex');
  const rename = (id: string) => `node_gaps-${run}-${id.slice(5)}`;
  const topology: Topology = {
    ...EMBEDDED_TOPOLOGY,
    masters: EMBEDDED_TOPOLOGY.masters.map((m) => ({ ...m, node_id: rename(m.node_id) })),
    enterprises: EMBEDDED_TOPOLOGY.enterprises.map((e) => ({ ...e, node_id: rename(e.node_id) })),
  };
  const lioncity = rename('node_lioncity');

  const call = async (method: string, url: string, payload?: string | Buffer, type = 'application/json') => {
    const res = await http.inject({
      method: method as 'GET',
      url,
      ...(payload !== undefined ? { payload, headers: { 'content-type': type } } : {}),
    });
    return {
      status: res.statusCode,
      body: String(res.headers['content-type'] ?? '').includes('json') ? res.json() : res.body,
    };
  };
  const gauge = (text: string, name: string, vault: string) =>
    Number(new RegExp(`^${name}\\{vault_id="${vault}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? Number.NaN);

  before(async () => {
    nats = await connectTestNats(requireUrl(gate));
    store = await openTestPglite();
    net = await openEmbeddedNetwork({
      store,
      keyring: new MemoryKeyring(),
      topology,
      pollIntervalMs: 20,
      busFor: async () => {
        const connection = await nats.connect();
        connections.push(connection);
        return new NatsBus({ connection });
      },
    });
    // Identity is not what this test is about (admission-denials and identity-routes sign every request).
    http = await createHttpServer(net.coordinator.service, { authentication: false });
  });
  after(async () => {
    await http?.close();
    await net?.close();
    for (const c of connections) await c.close();
    await nats?.cleanup();
    await store?.close();
  });

  it('uploads JSON, CSV, NDJSON and a document through the edge to the node over NATS', async () => {
    const records = Array.from({ length: 12 }, (_, i) => ({
      subject: `act_sub-${i % 6}`,
      fields: { merchant: `Shop ${i}`, category: 'coffee', city: 'Singapore', total_amount: `${4 + (i % 5)}.50` },
    }));
    const json = await call('POST', `/v1/vaults/${V}/records`, JSON.stringify({ records }));
    assert.equal(json.status, 201, JSON.stringify(json.body));
    const csv = [
      'subject,merchant,category,total_amount,city',
      ...Array.from({ length: 8 }, (_, i) => `act_csv-${i % 4},"Kopi ${i}, Pte",coffee,${3 + (i % 4)}.25,Singapore`),
    ].join('\n');
    const up = await call('POST', `/v1/vaults/${V}/uploads`, csv, 'text/csv');
    assert.equal(up.status, 201, JSON.stringify(up.body));
    assert.equal(up.body.accepted, 8);
    const nd = Array.from({ length: 5 }, (_, i) =>
      JSON.stringify({
        subject: `act_nd-${i}`,
        fields: { merchant: `Nd ${i}`, category: 'tea', total_amount: '9.00' },
      }),
    ).join('\n');
    assert.equal((await call('POST', `/v1/vaults/${V}/uploads`, nd, 'application/x-ndjson')).body.accepted, 5);
    // A document larger than one bus chunk travels as several signed NATS requests.
    const pdf = Buffer.from(`%PDF-1.4\n% receipt\n${'x'.repeat(600_000)}\n%%EOF\n`);
    const doc = await call(
      'POST',
      `/v1/vaults/${V}/documents?subject=act_sub-1&record_id=rec_nats-doc`,
      pdf,
      'application/pdf',
    );
    assert.equal(doc.status, 201, JSON.stringify(doc.body));
    const shown = await call('GET', `/v1/vaults/${V}`);
    assert.equal(shown.body.node_id, lioncity);
    assert.equal(shown.body.record_count, 26);
    assert.ok(shown.body.size_bytes > 600_000);
  });

  it('reports current Vault figures at each scrape, even for records the master never saw', async () => {
    const before = (await call('GET', '/metrics')).body as string;
    assert.equal(gauge(before, 'scs_vault_records', V), 26);
    assert.equal(gauge(before, 'scs_vault_figures_fresh', V), 1);
    const size = gauge(before, 'scs_vault_size_bytes', V);
    // Written on the enterprise node directly: no upload through this master refreshed anything.
    const node = net.enterprises.find((e) => e.nodeId === lioncity)!;
    await node.records.insert(V, [
      { subject: 'act_local-1', fields: { merchant: 'Local', category: 'coffee', total_amount: '1.00' } },
      { subject: 'act_local-2', fields: { merchant: 'Local', category: 'coffee', total_amount: '2.00' } },
    ]);
    const afterwards = (await call('GET', '/metrics')).body as string;
    assert.equal(gauge(afterwards, 'scs_vault_records', V), 28);
    assert.ok(gauge(afterwards, 'scs_vault_size_bytes', V) > size);
  });

  it("publishes every Vault's snapshot root when the epoch closes, appended by its own node", async () => {
    const state = () => net.coordinator.follower.state;
    const epoch = state().current_epoch;
    for (const id of Object.keys(state().vaults)) assert.equal(state().vaults[id]!.last_snapshot, undefined);
    const closed = await call('POST', '/v1/epochs/current/close');
    assert.ok(closed.status < 300, JSON.stringify(closed.body));
    await waitFor(
      () => Object.values(state().vaults).every((v) => v.last_snapshot?.epoch_id === epoch + 1),
      'every Vault published its snapshot for the new epoch',
      30_000,
    );
    const commitments = await call('GET', `/v1/vaults/${V}/commitments`);
    const published = state().vaults[V]!.last_snapshot!;
    assert.equal(published.commitments_root, commitments.body.root);
    assert.equal(published.record_count, 28);
    const entry = await net.coordinator.follower.entryAt(published.seq);
    assert.equal(entry?.origin, lioncity, 'the Vault node itself appended its snapshot');
    const shown = await call('GET', `/v1/vaults/${V}`);
    assert.deepEqual(shown.body.last_snapshot, {
      epoch_id: epoch + 1,
      record_count: 28,
      commitments_root: commitments.body.root,
    });
    const metrics = (await call('GET', '/metrics')).body as string;
    assert.match(
      metrics,
      new RegExp(
        `scs_vault_snapshot_root_info\\{vault_id="${V}",epoch_id="${epoch + 1}",root="${published.commitments_root}"\\} 1`,
      ),
    );
    // Once per epoch: asking again for this epoch is refused as a duplicate.
    const again = await call('POST', `/v1/vaults/${V}/snapshots`);
    assert.equal(again.status, 409);
  });
});
