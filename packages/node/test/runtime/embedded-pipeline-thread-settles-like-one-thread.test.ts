/**
 * The same seeded input on the embedded network with every node on one thread and with its
 * pipeline (the other masters, the enterprise nodes and their Vaults) in a worker thread on its
 * own PGlite settles to byte-identical roots and reward ledgers: where a node runs is not
 * protocol-visible. The seeded input is the one `cluster-settles-like-embedded` uses: one key
 * folder, a frozen clock, `verifier_draw: 'receipt'`, seeded records, consent and tasks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FileKeyring } from '../../src/adapters/file-keyring.ts';
import { ManualClock } from '../../src/adapters/manual-clock.ts';
import { createHttpServer } from '../../src/application/http-server.ts';
import { openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
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
import { openTestPglite, pgliteTemplate } from '../support/pglite.ts';
import { prng } from '../support/prng.ts';
import { createTempDir, type TempDir } from '../support/services.ts';

const FROZEN_MS = 1_790_000_000_000;
const SEED = 29;
const TASKS = 8;
const VAULTS = ['vlt_lioncity-app', 'vlt_lioncity-loyalty', 'vlt_straits-wallet'];
const TOPOLOGY: Topology = {
  ...EMBEDDED_TOPOLOGY,
  parameters: { ...DEFAULT_PARAMETERS, verifier_draw: 'receipt' },
};

type Settled = {
  statement: Record<string, unknown>;
  entries: Record<string, unknown>[];
  rewards: string[];
  tasks: string[];
};

async function runSeeded(threads: 1 | 2, keysDir: string): Promise<Settled> {
  const store = await openTestPglite();
  const net = await openEmbeddedNetwork({
    store,
    keyring: new FileKeyring({ dataDir: keysDir }),
    clock: new ManualClock(FROZEN_MS),
    topology: TOPOLOGY,
    actors: workloadActors(),
    pollIntervalMs: 20,
    ...(threads === 2 ? { pipelineThread: { store: { loadDataDir: await pgliteTemplate() } } } : {}),
  });
  const http = await createHttpServer(net.coordinator.service);
  try {
    assert.equal(net.masters.length, threads === 2 ? 1 : 3);
    const client = new WorkloadClient(await http.listen({ port: 0, host: '127.0.0.1' }));
    const rand = prng(SEED);
    await seedVaults(client, VAULTS, rand);
    const specs = Array.from({ length: TASKS }, () => workloadTask(VAULTS, rand));
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
  } finally {
    await http.close();
    await net.close();
    await store.close();
  }
}

describe('one thread and a pipeline thread settle the same seeded input to the same roots', () => {
  let keys: TempDir;
  const settled: { one?: Settled; two?: Settled } = {};
  before(async () => {
    keys = await createTempDir('scs-seeded-threads-');
  });
  after(async () => {
    await keys?.cleanup();
  });

  it('runs the seeded workload with every node on one thread', async () => {
    settled.one = await runSeeded(1, keys.path);
  });

  it('runs the same seeded workload with the pipeline in a worker thread', async () => {
    settled.two = await runSeeded(2, keys.path);
  });

  it('gives byte-identical settlement roots, entries and reward ledgers', () => {
    const { one, two } = settled;
    assert.ok(one && two, 'both layouts finalized the epoch');
    assert.equal(one.entries.length, TASKS);
    assert.deepEqual(two.tasks, one.tasks);
    assert.equal(two.statement.settlement_root, one.statement.settlement_root);
    assert.equal(two.statement.rewards_root, one.statement.rewards_root);
    assert.deepEqual(two.statement, one.statement);
    assert.deepEqual(two.entries, one.entries);
    assert.deepEqual(two.rewards, one.rewards);
  });
});
