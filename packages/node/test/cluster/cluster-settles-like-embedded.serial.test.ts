/**
 * The same seeded input on the embedded network (one process, PGlite, in-memory bus) and on a
 * cluster (3 masters and 2 enterprise nodes as separate processes, a PostgreSQL database each, the
 * log on NATS JetStream) settles to byte-identical roots and reward ledgers.
 *
 * The seeded input: the node keys (one key folder, copied to the cluster's nodes), a frozen clock,
 * the genesis parameters with `verifier_draw: 'receipt'` (the verifier is drawn from the receipt,
 * not from where it lands in the log, which the two deployments interleave differently), the
 * records and consent, and the tasks from one seeded generator spread over the three Vaults of
 * both enterprise nodes, then an explicit epoch close. Record salts are derived from the node key
 * and the record (docs/protocol.md section 12a), so the Vault snapshots the receipts bind agree.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FileKeyring } from '../../src/adapters/file-keyring.ts';
import { ManualClock } from '../../src/adapters/manual-clock.ts';
import { createHttpServer } from '../../src/application/http-server.ts';
import { openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { LocalCluster } from '../../src/roles/local-cluster.ts';
import { workloadActors } from '../support/cluster-workload.ts';
import { openTestPglite } from '../support/pglite.ts';
import {
  assertSameSettlement,
  runSeededWorkload,
  SEEDED_FROZEN_MS,
  SEEDED_TOPOLOGY,
  type Settled,
} from '../support/seeded-settlement.ts';
import { createTempDir, requireUrl, serviceGate, type TempDir } from '../support/services.ts';

const pgGate = serviceGate('postgres');
const natsGate = serviceGate('nats');
const skip = pgGate.skip ?? natsGate.skip;
const SEED = 23;

describe('cluster and embedded network settle the same seeded input to the same roots', { skip }, () => {
  let keys: TempDir;
  let dir: TempDir;
  let cluster: LocalCluster | undefined;
  const settled: { embedded?: Settled; cluster?: Settled } = {};

  before(async () => {
    keys = await createTempDir('scs-seeded-keys-');
    dir = await createTempDir('scs-seeded-cluster-');
  });
  after(async () => {
    await cluster?.down({ purge: true });
    await dir?.cleanup();
    await keys?.cleanup();
  });

  it('runs the seeded workload on the embedded network', async () => {
    const store = await openTestPglite();
    const net = await openEmbeddedNetwork({
      store,
      keyring: new FileKeyring({ dataDir: keys.path }),
      clock: new ManualClock(SEEDED_FROZEN_MS),
      topology: SEEDED_TOPOLOGY,
      actors: workloadActors(),
      pollIntervalMs: 20,
    });
    const http = await createHttpServer(net.coordinator.service);
    try {
      settled.embedded = await runSeededWorkload(await http.listen({ port: 0, host: '127.0.0.1' }), SEED);
    } finally {
      await http.close();
      await net.close();
      await store.close();
    }
  });

  it('runs the same seeded workload on a cluster of processes', async () => {
    cluster = await LocalCluster.up({
      dir: dir.path,
      adminDatabaseUrl: requireUrl(pgGate),
      natsUrl: requireUrl(natsGate),
      topology: SEEDED_TOPOLOGY,
      actors: workloadActors(),
      keysFrom: keys.path,
      fixedClockMs: SEEDED_FROZEN_MS,
    });
    settled.cluster = await runSeededWorkload(cluster.url, SEED);
  });

  it('gives byte-identical settlement roots, entries and reward ledgers', () => {
    const { embedded: e, cluster: c } = settled;
    assertSameSettlement(e, c);
    // Both enterprise nodes executed: the workload spans every Vault.
    const operators = new Set(
      e!.entries.flatMap((x) =>
        (x.contributions as { account: string; role: string }[])
          .filter((k) => k.role === 'vault_operator')
          .map((k) => k.account),
      ),
    );
    assert.deepEqual([...operators].sort(), ['act_lioncity', 'act_straits']);
  });
});
