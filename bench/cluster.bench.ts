/**
 * Cluster throughput beside the embedded network, on one seeded workload in one run:
 *
 *   - embedded: the whole network in this process (PGlite, in-memory bus), 2 enterprise nodes;
 *   - cluster with 1, 2 and 4 enterprise nodes: every node its own process, a PostgreSQL database
 *     each, the log in a JetStream stream, messages on NATS (DATABASE_URL, NATS_URL).
 *
 * Each network gets one Vault per enterprise node (`vlt_ent-<i>`), the same seeded records and
 * consent per Vault, then the same N histogram tasks spread round-robin over the Vaults, submitted
 * over HTTP with bounded concurrency. Throughput is N / (first submission -> every task
 * `awaiting_settlement`); then the epoch is closed and the time to finality measured.
 *
 * Where the time goes: the CPU each process used during the workload (from /proc/<pid>/stat; the
 * embedded network and the load client share this process), per task, by role (coordinating
 * master, the 2 other masters, all enterprise nodes), and the machine's CPU busy share over the
 * same interval (from /proc/stat: on a shared machine other work competes for the same cores).
 *
 * With `--profile DIR`, every cluster node runs with `--cpu-prof` and writes its V8 CPU profile to
 * DIR when the cluster goes down (`CPU.*.<pid>.*.cpuprofile`; the pid of each node is printed).
 *
 *   DATABASE_URL=... NATS_URL=... npx tsx bench/cluster.bench.ts [--tasks 24] [--concurrency 8]
 *     [--nodes 1,2,4] [--json FILE] [--profile DIR]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryKeyring } from '../packages/node/src/adapters/memory-keyring.ts';
import { createHttpServer } from '../packages/node/src/application/http-server.ts';
import { openEmbeddedNetwork } from '../packages/node/src/roles/embedded-network.ts';
import { LocalCluster, topologyWithEnterprises } from '../packages/node/src/roles/local-cluster.ts';
import {
  closeAndFinalize,
  seedVaults,
  submitTask,
  VERIFIED_OR_DONE,
  WorkloadClient,
  waitForStates,
  workloadActors,
  workloadTask,
} from '../packages/node/test/support/cluster-workload.ts';
import { openTestPglite } from '../packages/node/test/support/pglite.ts';
import { prng } from '../packages/node/test/support/prng.ts';
import { argValue, machine } from './bench-util.ts';

const tasks = Number(argValue('--tasks') ?? 24);
const concurrency = Number(argValue('--concurrency') ?? 8);
const nodeCounts = (argValue('--nodes') ?? '1,2,4').split(',').map(Number);
const profileDir = argValue('--profile');
const databaseUrl = process.env.DATABASE_URL;
const natsUrl = process.env.NATS_URL;
if (!databaseUrl || !natsUrl) {
  console.error('set DATABASE_URL and NATS_URL');
  process.exit(2);
}

type Row = {
  network: string;
  enterprise_nodes: number;
  tasks: number;
  seconds: number;
  tasks_per_s: number;
  finality_s: number;
  start_s: number;
  load: string;
  /** CPU ms per task during the workload, by role (the embedded row: this whole process). */
  cpu_ms_per_task: Record<string, number>;
  /** Share of the machine's CPU time that was busy (any process) during the workload. */
  machine_busy: number;
};

/** Cumulative CPU ms (user + system) of a process, from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** The machine's busy and total CPU ticks so far (all cores), from /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  const total = cpu.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Role of each measured process: `coordinator`, `masters` (the others), `enterprise`, and this `client`. */
type Roles = Record<string, number[]>;

function cpuByRole(roles: Roles): Record<string, number> {
  return Object.fromEntries(
    Object.entries(roles).map(([role, pids]) => [role, pids.reduce((t, pid) => t + cpuMsOf(pid), 0)]),
  );
}

function clusterRoles(cluster: LocalCluster): Roles {
  const nodes = cluster.record.nodes;
  return {
    coordinator: nodes.filter((n) => n.node_id === 'node_master-1').map((n) => n.pid),
    masters: nodes.filter((n) => n.role === 'master' && n.node_id !== 'node_master-1').map((n) => n.pid),
    enterprise: nodes.filter((n) => n.role === 'enterprise').map((n) => n.pid),
    client: [process.pid],
  };
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

/** Seeds the Vaults, runs the workload and the epoch close against `base`. */
async function workload(base: string, vaults: string[], roles: Roles) {
  const client = new WorkloadClient(base);
  const rand = prng(7);
  await seedVaults(client, vaults, rand);
  const specs = Array.from({ length: tasks }, (_, i) => workloadTask([vaults[i % vaults.length]!], rand));
  const cpu0 = cpuByRole(roles);
  const m0 = machineTicks();
  const started = performance.now();
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < specs.length) {
        const i = next++;
        ids.push(await submitTask(client, `bench-${i}`, specs[i]));
      }
    }),
  );
  await waitForStates(client, ids, VERIFIED_OR_DONE, 600_000);
  const seconds = (performance.now() - started) / 1000;
  const cpu1 = cpuByRole(roles);
  const m1 = machineTicks();
  const cpu_ms_per_task = Object.fromEntries(
    Object.keys(cpu1).map((role) => [role, Math.round((cpu1[role]! - cpu0[role]!) / tasks)]),
  );
  const machine_busy = (m1.busy - m0.busy) / Math.max(1, m1.total - m0.total);
  const f0 = performance.now();
  await closeAndFinalize(client, 600_000);
  return { seconds, finality_s: (performance.now() - f0) / 1000, cpu_ms_per_task, machine_busy };
}

const rows: Row[] = [];
type Measured = { seconds: number; finality_s: number; cpu_ms_per_task: Record<string, number>; machine_busy: number };
const record = (network: string, n: number, r: Measured, start_s: number) => {
  const row: Row = {
    network,
    enterprise_nodes: n,
    tasks,
    seconds: Number(r.seconds.toFixed(2)),
    tasks_per_s: Number((tasks / r.seconds).toFixed(2)),
    finality_s: Number(r.finality_s.toFixed(2)),
    start_s: Number(start_s.toFixed(1)),
    load: load(),
    cpu_ms_per_task: r.cpu_ms_per_task,
    machine_busy: Number(r.machine_busy.toFixed(2)),
  };
  rows.push(row);
  console.log(JSON.stringify(row));
};

console.log(`${machine()}; load ${load()}; ${tasks} tasks, concurrency ${concurrency}`);

{
  const topology = topologyWithEnterprises(2);
  const t0 = performance.now();
  const store = await openTestPglite();
  const net = await openEmbeddedNetwork({ store, keyring: new MemoryKeyring(), topology, actors: workloadActors() });
  const http = await createHttpServer(net.coordinator.service);
  const base = await http.listen({ port: 0, host: '127.0.0.1' });
  const start_s = (performance.now() - t0) / 1000;
  try {
    record(
      'embedded',
      2,
      await workload(
        base,
        topology.enterprises.flatMap((e) => e.vault_ids),
        { embedded: [process.pid] },
      ),
      start_s,
    );
  } finally {
    await http.close();
    await net.close();
    await store.close();
  }
}

for (const n of nodeCounts) {
  const topology = topologyWithEnterprises(n);
  const dir = await mkdtemp(join(tmpdir(), 'scs-cluster-bench-'));
  const t0 = performance.now();
  const cluster = await LocalCluster.up({
    dir,
    adminDatabaseUrl: databaseUrl,
    natsUrl,
    topology,
    actors: workloadActors(),
    readyTimeoutMs: 300_000,
    ...(profileDir ? { nodeFlags: ['--cpu-prof', '--cpu-prof-dir', profileDir] } : {}),
  });
  if (profileDir) console.log(`profiled nodes: ${cluster.record.nodes.map((x) => `${x.node_id}=${x.pid}`).join(' ')}`);
  const start_s = (performance.now() - t0) / 1000;
  try {
    record(
      'cluster',
      n,
      await workload(
        cluster.url,
        topology.enterprises.flatMap((e) => e.vault_ids),
        clusterRoles(cluster),
      ),
      start_s,
    );
  } finally {
    await cluster.down({ purge: true });
    await rm(dir, { recursive: true, force: true });
  }
}

const base = rows.find((r) => r.network === 'embedded')!;
console.log(
  '\nnetwork   enterprise nodes  tasks/s  vs embedded  finality s  machine busy  CPU ms/task by role  load (1/5/15 min)',
);
for (const r of rows)
  console.log(
    `${r.network.padEnd(9)} ${String(r.enterprise_nodes).padStart(16)}  ${r.tasks_per_s.toFixed(2).padStart(7)}  ${(r.tasks_per_s / base.tasks_per_s).toFixed(2).padStart(11)}  ${r.finality_s.toFixed(2).padStart(10)}  ${`${Math.round(r.machine_busy * 100)}%`.padStart(12)}  ${JSON.stringify(r.cpu_ms_per_task)}  ${r.load}`,
  );
const json = argValue('--json');
if (json) writeFileSync(json, `${JSON.stringify({ machine: machine(), tasks, concurrency, rows }, null, 2)}\n`);
