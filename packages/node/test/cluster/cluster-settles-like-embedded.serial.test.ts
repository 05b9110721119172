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
import { DEFAULT_PARAMETERS, EMBEDDED_TOPOLOGY, type Topology } from '../../src/roles/network-topology.ts';
import {
  closeAndFinalize,
  seedVaults,
  submitTask,
  VERIFIED_OR_DONE,
  WorkloadClient,
  waitForStates,
  workloadActors,
  workloadTask,
} from '../support/cluster-workload.ts';
import { openTestPglite } from '../support/pglite.ts';
import { prng } from '../support/prng.ts';
import { createTempDir, requireUrl, serviceGate, type TempDir } from '../support/services.ts';

const pgGate = serviceGate('postgres');
const natsGate = serviceGate('nats');
const skip = pgGate.skip ?? natsGate.skip;

const FROZEN_MS = 1_790_000_000_000;
const SEED = 23;
const TASKS = 8;
const VAULTS = ['vlt_lioncity-app', 'vlt_lioncity-loyalty', 'vlt_straits-wallet'];
const TOPOLOGY: Topology = {
  ...EMBEDDED_TOPOLOGY,
  parameters: { ...DEFAULT_PARAMETERS, verifier_draw: 'receipt' },
};

type Settled = {
  statement: Record<string, unknown>;
  entries: Record<string, unknown>[];
  /** The epoch's reward records as the ledger's leaves see them (lifecycle fields left out). */
  rewards: string[];
  tasks: string[];
};

/** The seeded workload against `base`: records, consent, tasks, then an explicit close to finality. */
async function runSeeded(base: string): Promise<Settled> {
  const client = new WorkloadClient(base);
  const rand = prng(SEED);
  await seedVaults(client, VAULTS, rand);
  const specs = Array.from({ length: TASKS }, () => workloadTask(VAULTS, rand));
  // Submitted concurrently: admission order may differ between the deployments, the roots may not.
  const tasks = await Promise.all(specs.map((spec, i) => submitTask(client, `seeded-${SEED}-${i}`, spec)));
  await waitForStates(client, tasks, VERIFIED_OR_DONE);
  const { epoch } = await closeAndFinalize(client);
  const settlement = await client.call('GET', `/v1/epochs/${epoch}/settlement`);
  const rewards = await client.call('GET', `/v1/rewards?epochId=${epoch}`);
  assert.equal(rewards.status, 200);
  return {
    statement: settlement.body.certificate.statement,
    entries: settlement.body.entries,
    rewards: (rewards.body.rewards as Record<string, unknown>[])
      .map((r) =>
        JSON.stringify([r.reward_id, r.epoch_id, r.task_id, r.account, r.role, r.units, r.amount ?? '0', r.source]),
      )
      .sort(),
    tasks: [...tasks].sort(),
  };
}

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
      clock: new ManualClock(FROZEN_MS),
      topology: TOPOLOGY,
      actors: workloadActors(),
      pollIntervalMs: 20,
    });
    const http = await createHttpServer(net.coordinator.service);
    try {
      settled.embedded = await runSeeded(await http.listen({ port: 0, host: '127.0.0.1' }));
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
      topology: TOPOLOGY,
      actors: workloadActors(),
      keysFrom: keys.path,
      fixedClockMs: FROZEN_MS,
    });
    settled.cluster = await runSeeded(cluster.url);
  });

  it('gives byte-identical settlement roots, entries and reward ledgers', () => {
    const { embedded: e, cluster: c } = settled;
    assert.ok(e && c, 'both deployments finalized the epoch');
    assert.equal(e.entries.length, TASKS);
    assert.deepEqual(c.tasks, e.tasks, 'the same task ids (one per idempotency key)');
    // Both enterprise nodes executed: the workload spans every Vault.
    const operators = new Set(
      e.entries.flatMap((x) =>
        (x.contributions as { account: string; role: string }[])
          .filter((k) => k.role === 'vault_operator')
          .map((k) => k.account),
      ),
    );
    assert.deepEqual([...operators].sort(), ['act_lioncity', 'act_straits']);
    assert.equal(c.statement.settlement_root, e.statement.settlement_root);
    assert.equal(c.statement.rewards_root, e.statement.rewards_root);
    assert.deepEqual(c.statement, e.statement);
    assert.deepEqual(c.entries, e.entries);
    assert.deepEqual(c.rewards, e.rewards);
  });
});
