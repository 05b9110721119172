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
import { workloadActors } from '../support/cluster-workload.ts';
import { openTestPglite, pgliteTemplate } from '../support/pglite.ts';
import {
  assertSameSettlement,
  runSeededWorkload,
  SEEDED_FROZEN_MS,
  SEEDED_TOPOLOGY,
  type Settled,
} from '../support/seeded-settlement.ts';
import { createTempDir, type TempDir } from '../support/services.ts';

const SEED = 29;

async function runSeeded(threads: 1 | 2, keysDir: string): Promise<Settled> {
  const store = await openTestPglite();
  const net = await openEmbeddedNetwork({
    store,
    keyring: new FileKeyring({ dataDir: keysDir }),
    clock: new ManualClock(SEEDED_FROZEN_MS),
    topology: SEEDED_TOPOLOGY,
    actors: workloadActors(),
    pollIntervalMs: 20,
    ...(threads === 2 ? { pipelineThread: { store: { loadDataDir: await pgliteTemplate() } } } : {}),
  });
  const http = await createHttpServer(net.coordinator.service);
  try {
    assert.equal(net.masters.length, threads === 2 ? 1 : 3);
    return await runSeededWorkload(await http.listen({ port: 0, host: '127.0.0.1' }), SEED);
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
    assertSameSettlement(settled.one, settled.two);
  });
});
