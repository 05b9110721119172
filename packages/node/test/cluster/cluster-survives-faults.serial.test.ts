/**
 * Fault harness: a cluster (3 masters, 2 enterprise nodes, separate processes) on a private
 * nats-server and a private PostgreSQL (never the machine's shared ones), under a seeded workload.
 * Faults, one per phase, injected while a wave of tasks is running: SIGKILL + restart of a master,
 * of an enterprise node, and of the NATS server; SIGSTOP of a master past the timeouts; a
 * PostgreSQL restart; and a graceful SIGTERM of the coordinating master. After each: every accepted task reaches a terminal state, no task is admitted
 * twice and no reward recorded twice, an epoch closed while a master is down finalizes with the 2
 * others, and the lagging master catches up to the same state hash as the others.
 * Writes the fault report to `$SCS_FAULT_REPORT` when set (bench/RESULTS.md quotes a run).
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { connect } from '@nats-io/transport-node';
import type { Entry } from '@symphony/protocol';
import { JetStreamProtocolLog } from '../../src/adapters/jetstream-protocol-log.ts';
import { LocalCluster } from '../../src/roles/local-cluster.ts';
import {
  closeAndFinalize,
  seedVaults,
  submitTask,
  TERMINAL,
  VERIFIED_OR_DONE,
  WorkloadClient,
  waitForStates,
  workloadActors,
  workloadTask,
} from '../support/cluster-workload.ts';
import { PrivateNats, PrivatePostgres, privateServicesMissing } from '../support/private-services.ts';
import { prng } from '../support/prng.ts';
import { createTempDir, type TempDir } from '../support/services.ts';
import { delay } from '../support/wait.ts';

const missing = privateServicesMissing();
const skip = missing && !process.env.CI ? missing : undefined;
const VAULTS = ['vlt_lioncity-app', 'vlt_lioncity-loyalty', 'vlt_straits-wallet'];
const WAVE = 6;
const MASTERS = ['node_master-1', 'node_master-2', 'node_master-3'];

type FaultRow = {
  fault: string;
  submitted: number;
  finished: number;
  duplicates: number;
  lost: number;
  /** From the recovery action (restart, SIGCONT) until every task of the wave is verified. */
  recovery_ms: number;
  /** From the recovery action until the wave is settled (completed) and all masters agree. */
  settled_ms: number;
  epoch_while_down?: { epoch: number; signers: string[] };
};

describe('cluster: faults during a seeded workload', { skip }, () => {
  let nats: PrivateNats;
  let pgsql: PrivatePostgres;
  let dir: TempDir;
  let cluster: LocalCluster;
  let client: WorkloadClient;
  const rand = prng(11);
  const accepted: string[] = [];
  const report: FaultRow[] = [];
  let taskNo = 0;

  before(async () => {
    assert.equal(missing, undefined, missing);
    [nats, pgsql, dir] = await Promise.all([
      PrivateNats.start(),
      PrivatePostgres.start(),
      createTempDir('scs-faults-'),
    ]);
    cluster = await LocalCluster.up({
      dir: dir.path,
      adminDatabaseUrl: pgsql.url,
      natsUrl: nats.url,
      actors: workloadActors(),
      requestTimeoutMs: 3000,
    });
    client = new WorkloadClient(cluster.url);
    await seedVaults(client, VAULTS, rand);
  });

  after(async () => {
    if (process.env.SCS_FAULT_REPORT) await writeFile(process.env.SCS_FAULT_REPORT, JSON.stringify(report, null, 2));
    await cluster?.down().catch(() => {});
    await Promise.allSettled([nats?.stop(), pgsql?.stop()]);
    await dir?.cleanup();
  });

  /** Submits a wave concurrently, running `fault` once the first task is admitted. */
  const wave = async (fault: () => Promise<void>): Promise<string[]> => {
    const tasks = Array.from({ length: WAVE }, () => ({
      key: `fault-task-${++taskNo}`,
      task: workloadTask(VAULTS, rand),
    }));
    let first: () => void = () => {};
    const firstAdmitted = new Promise<void>((resolve) => {
      first = resolve;
    });
    const submissions = tasks.map(async ({ key, task }, i) => {
      if (i > 0) await delay(i * 150);
      const id = await submitTask(client, key, task);
      first();
      return id;
    });
    await firstAdmitted;
    await fault();
    const ids = await Promise.all(submissions);
    accepted.push(...ids);
    return ids;
  };

  /** Every master at one log position with one state hash. */
  const mastersAgree = async (): Promise<string> => {
    for (let i = 0; ; i++) {
      const all = await Promise.all(
        MASTERS.map(async (m) => {
          const r = await fetch(`${cluster.node(m).url}/statez`, { signal: AbortSignal.timeout(5000) });
          return (await r.json()) as { log_position: number; state_hash: string };
        }),
      );
      if (all.every((x) => x.log_position === all[0]!.log_position && x.state_hash === all[0]!.state_hash))
        return all[0]!.state_hash;
      if (i > 600) throw new Error(`masters disagree: ${JSON.stringify(all)}`);
      await delay(100);
    }
  };

  /** Tasks admitted more than once, and reward ids recorded more than once, across the whole log. */
  const duplicates = async (ids: readonly string[]): Promise<number> => {
    const nc = await connect({ servers: nats.url });
    try {
      const log = await JetStreamProtocolLog.open({ connection: nc, prefix: cluster.record.network });
      const admitted = new Map<string, number>();
      const rewards = new Map<string, number>();
      for (let from = 0; ; ) {
        const batch = (await log.read(from, 500)) as unknown as Entry[];
        for (const e of batch) {
          if (e.event.type === 'task_admitted') {
            const id = e.event.envelope.task_id;
            admitted.set(id, (admitted.get(id) ?? 0) + 1);
          }
        }
        if (batch.length < 500) break;
        from += batch.length;
      }
      const r = await client.retrying('GET', '/v1/rewards');
      for (const x of r.body.rewards as { reward_id: string }[])
        rewards.set(x.reward_id, (rewards.get(x.reward_id) ?? 0) + 1);
      const dupTasks = ids.filter((id) => (admitted.get(id) ?? 0) !== 1).length;
      const dupRewards = [...rewards.values()].filter((n) => n > 1).length;
      return dupTasks + dupRewards;
    } finally {
      await nc.close();
    }
  };

  /** Settles the wave (closing an epoch), checks it, and records the row. */
  const finish = async (fault: string, ids: string[], recoveredFrom: number, extra: Partial<FaultRow> = {}) => {
    await waitForStates(client, ids, VERIFIED_OR_DONE);
    const recovery_ms = Date.now() - recoveredFrom;
    await closeAndFinalize(client);
    const states = await waitForStates(client, ids, TERMINAL);
    await mastersAgree();
    const settled_ms = Date.now() - recoveredFrom;
    const finished = [...states.values()].filter((s) => TERMINAL.has(s)).length;
    const row: FaultRow = {
      fault,
      submitted: ids.length,
      finished,
      duplicates: await duplicates(ids),
      lost: ids.length - finished,
      recovery_ms,
      settled_ms,
      ...extra,
    };
    report.push(row);
    assert.equal(row.finished, WAVE);
    assert.equal(row.lost, 0);
    assert.equal(row.duplicates, 0);
    assert.deepEqual(
      [...states.values()].filter((s) => s !== 'completed'),
      [],
      'every task completes (none rejected or timed out)',
    );
  };

  /** While `down` is out: let the wave's other tasks get verified, close an epoch, check who signed. */
  const epochWhileDown = async (ids: string[], down: string) => {
    await waitForStates(client, ids, new Set(['verifying', ...VERIFIED_OR_DONE]));
    const e = await closeAndFinalize(client);
    assert.equal(e.signers.length, 2);
    assert.ok(!e.signers.includes(down), `${down} is down and did not sign epoch ${e.epoch}`);
    return { epoch: e.epoch, signers: e.signers };
  };

  it('SIGKILL and restart of a master: an epoch finalizes with the other two; it catches up', async () => {
    const ids = await wave(async () => {
      cluster.signal('node_master-2', 'SIGKILL');
      await cluster.waitExit('node_master-2');
    });
    const down = await epochWhileDown(ids, 'node_master-2');
    const t = Date.now();
    await cluster.restart('node_master-2');
    await cluster.waitReady(60_000, ['node_master-2']);
    await finish('SIGKILL + restart master-2', ids, t, { epoch_while_down: down });
  });

  it('SIGKILL and restart of an enterprise node: its tasks are retried and finish', async () => {
    let t = 0;
    const ids = await wave(async () => {
      cluster.signal('node_lioncity', 'SIGKILL');
      await cluster.waitExit('node_lioncity');
      await delay(1000);
      t = Date.now();
      await cluster.restart('node_lioncity');
    });
    await cluster.waitReady(60_000, ['node_lioncity']);
    await finish('SIGKILL + restart enterprise node_lioncity', ids, t);
  });

  it('SIGKILL and restart of the NATS server: every node reconnects, the log resumes', async () => {
    let t = 0;
    const ids = await wave(async () => {
      await nats.kill();
      await delay(1000);
      t = Date.now();
      await nats.restart();
    });
    await cluster.waitReady(60_000);
    await finish('SIGKILL + restart nats-server', ids, t);
  });

  it('SIGSTOP of a master past the timeouts: the other two finalize; after SIGCONT it catches up', async () => {
    const ids = await wave(async () => {
      cluster.signal('node_master-3', 'SIGSTOP');
    });
    // Past the bus request timeout (3 s) and the readiness probes' (1.5 s) while the epoch settles.
    const started = Date.now();
    const down = await epochWhileDown(ids, 'node_master-3');
    const held = Date.now() - started;
    if (held < 4000) await delay(4000 - held);
    const t = Date.now();
    cluster.signal('node_master-3', 'SIGCONT');
    await cluster.waitReady(60_000, ['node_master-3']);
    await finish('SIGSTOP master-3 (>4 s), SIGCONT', ids, t, { epoch_while_down: down });
  });

  it('PostgreSQL restart: nodes reconnect to their databases and the workload finishes', async () => {
    let t = 0;
    const ids = await wave(async () => {
      t = Date.now();
      pgsql.restart();
    });
    await cluster.waitReady(60_000);
    await finish('PostgreSQL restart (pg_ctl -m fast)', ids, t);
  });

  it('SIGTERM of the coordinating master: it stops gracefully, hands back its work, and resumes it on restart', async () => {
    let t = 0;
    const ids = await wave(async () => {
      cluster.signal('node_master-1', 'SIGTERM');
      await cluster.waitExit('node_master-1');
      const log = await readFile(cluster.node('node_master-1').log_file, 'utf8');
      assert.match(log.trim().split('\n').at(-1) ?? '', /"msg":"stopped"/, 'the node shut down by itself');
      t = Date.now();
      await cluster.restart('node_master-1');
    });
    await cluster.waitReady(60_000, ['node_master-1']);
    await finish('SIGTERM + restart coordinator master-1', ids, t);
  });

  it('leaves no accepted task unfinished and every master on one state hash', async () => {
    const states = await waitForStates(client, accepted, TERMINAL);
    assert.equal(states.size, accepted.length);
    assert.equal(new Set(accepted).size, accepted.length);
    await mastersAgree();
  });
});
