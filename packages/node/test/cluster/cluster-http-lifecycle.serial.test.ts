/**
 * The embedded network's end-to-end HTTP suite, unchanged, against a cluster: 3 masters and 2
 * enterprise nodes as separate processes on PostgreSQL (a database each) and NATS JetStream.
 * Both deployments get the same input: the same node keys, a frozen clock and genesis parameters
 * drawing verifiers by receipt (`verifier_draw: 'receipt'`). They finalize byte-identical
 * settlements (roots, entries, reward ledger), and each settlement root is reproduced by folding
 * the deployment's log afresh.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect } from '@nats-io/transport-node';
import { type Entry, stateHash } from '@symphony/protocol';
import { FileKeyring } from '../../src/adapters/file-keyring.ts';
import { JetStreamProtocolLog } from '../../src/adapters/jetstream-protocol-log.ts';
import { ManualClock } from '../../src/adapters/manual-clock.ts';
import { MemoryProtocolLog } from '../../src/adapters/memory-protocol-log.ts';
import { createHttpServer } from '../../src/application/http-server.ts';
import { StateFollower } from '../../src/coordination/state-follower.ts';
import { openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { LocalCluster } from '../../src/roles/local-cluster.ts';
import { DEFAULT_PARAMETERS, EMBEDDED_TOPOLOGY, type Topology } from '../../src/roles/network-topology.ts';
import { httpLifecycleSuite, type SuiteOutcome, suiteActors } from '../support/http-lifecycle-suite.ts';
import { openTestPglite } from '../support/pglite.ts';
import { createTempDir, requireUrl, serviceGate, type TempDir } from '../support/services.ts';

const pgGate = serviceGate('postgres');
const natsGate = serviceGate('nats');
const skip = pgGate.skip ?? natsGate.skip;
const FROZEN_MS = Math.floor(Date.now() / 1000) * 1000;
/** The verifier drawn from the receipt, not from where it lands in each deployment's log. */
const TOPOLOGY: Topology = { ...EMBEDDED_TOPOLOGY, parameters: { ...DEFAULT_PARAMETERS, verifier_draw: 'receipt' } };

let keys: TempDir;
let cluster: LocalCluster | undefined;
const outcomes: { embedded?: SuiteOutcome; cluster?: SuiteOutcome } = {};
let embeddedLog: Entry[] = [];

describe('cluster: the embedded HTTP suite on separate processes', { skip }, () => {
  before(async () => {
    keys = await createTempDir('scs-cluster-keys-');
  });
  after(async () => {
    await cluster?.down({ purge: true });
    await cluster?.removeDir();
    await keys?.cleanup();
  });

  httpLifecycleSuite(
    'embedded network (frozen clock, shared keys)',
    async () => {
      const store = await openTestPglite();
      const net = await openEmbeddedNetwork({
        store,
        keyring: new FileKeyring({ dataDir: keys.path }),
        clock: new ManualClock(FROZEN_MS),
        topology: TOPOLOGY,
        pollIntervalMs: 20,
        actors: suiteActors(),
      });
      const http = await createHttpServer(net.coordinator.service);
      const base = await http.listen({ port: 0, host: '127.0.0.1' });
      return {
        base,
        frozenClock: true,
        headSeq: async () => net.coordinator.follower.state.head?.seq,
        async close() {
          embeddedLog = (await readAll((from) => net.coordinator.follower.entryAt(from))) as Entry[];
          await http.close();
          await net.close();
          await store.close();
        },
      };
    },
    (o) => {
      outcomes.embedded = o;
    },
  );

  httpLifecycleSuite(
    'cluster of processes (same keys, frozen clock)',
    async () => {
      const dir = await createTempDir('scs-cluster-');
      cluster = await LocalCluster.up({
        dir: dir.path,
        adminDatabaseUrl: requireUrl(pgGate),
        natsUrl: requireUrl(natsGate),
        topology: TOPOLOGY,
        actors: suiteActors(),
        keysFrom: keys.path,
        fixedClockMs: FROZEN_MS,
      });
      const base = cluster.url;
      return {
        base,
        frozenClock: true,
        headSeq: async () => ((await (await fetch(`${base}/readyz`)).json()) as { log_position: number }).log_position,
        close: async () => {},
      };
    },
    (o) => {
      outcomes.cluster = o;
    },
  );

  it('finalizes the same settlement as the embedded network: roots, entries and reward ledger', () => {
    const e = outcomes.embedded;
    const c = outcomes.cluster;
    assert.ok(e && c, 'both suites finalized an epoch');
    assert.equal(
      c.settlement.certificate.statement.settlement_root,
      e.settlement.certificate.statement.settlement_root,
    );
    assert.deepEqual(c.settlement.certificate.statement, e.settlement.certificate.statement);
    assert.deepEqual(c.settlement.entries, e.settlement.entries);
    const ledger = (rewards: Record<string, unknown>[]) => rewards.map((r) => JSON.stringify(r)).sort();
    assert.deepEqual(ledger(c.rewards), ledger(e.rewards));
  });

  it('reproduces each deployment settlement root, and the masters state hash, by folding its log afresh', async () => {
    assert.ok(cluster);
    const nc = await connect({ servers: requireUrl(natsGate) });
    try {
      const log = await JetStreamProtocolLog.open({ connection: nc, prefix: cluster.record.network });
      const clusterLog = await readAll(async (seq) => (await log.read(seq, 1))[0] as Entry | undefined);
      // The cluster's log, folded the embedded way (an in-memory log and the same follower).
      const replayed = await foldEntries(clusterLog);
      assert.equal(
        replayed.state.settlements[1]?.candidate?.statement.settlement_root,
        outcomes.cluster?.settlement.certificate.statement.settlement_root,
      );
      // Every master of the cluster folded it to the same state hash at the same position.
      const hashes = await waitForAgreement(cluster);
      assert.equal(hashes.state_hash, stateHash(replayed.state));
      // And the embedded log folds to the embedded root.
      const embedded = await foldEntries(embeddedLog);
      assert.equal(
        embedded.state.settlements[1]?.candidate?.statement.settlement_root,
        outcomes.embedded?.settlement.certificate.statement.settlement_root,
      );
    } finally {
      await nc.close();
    }
  });
});

async function readAll(at: (seq: number) => Promise<Entry | undefined>): Promise<Entry[]> {
  const out: Entry[] = [];
  for (let seq = 0; ; seq++) {
    const e = await at(seq);
    if (!e) return out;
    out.push(e);
  }
}

async function foldEntries(entries: Entry[]): Promise<StateFollower> {
  const log = new MemoryProtocolLog();
  for (const e of entries) {
    const r = await log.append(e as never);
    assert.ok(r.ok, `entry ${e.seq} chains`);
  }
  const follower = new StateFollower(log);
  await follower.catchUp();
  await log.close();
  return follower;
}

/** Polls every master's `/statez` until all report one position and one hash. */
async function waitForAgreement(c: LocalCluster): Promise<{ log_position: number; state_hash: string }> {
  const masters = c.record.nodes.filter((n) => n.role === 'master');
  for (let i = 0; i < 200; i++) {
    const all = await Promise.all(
      masters.map(
        async (m) => (await (await fetch(`${m.url}/statez`)).json()) as { log_position: number; state_hash: string },
      ),
    );
    if (all.every((x) => x.log_position === all[0]!.log_position && x.state_hash === all[0]!.state_hash))
      return all[0]!;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('masters did not agree on one state hash');
}
