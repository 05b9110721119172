/**
 * Settlement latency in the reducer: for an epoch of N verified tasks, the time from the
 * `epoch_closed` entry to the candidate root (entries ordered, fees split, emission minted, both
 * roots built: what every master does in that one step) and from the candidate to finality (the
 * two matching signatures: tasks completed, rewards finalized, payout intents and batches
 * derived). Beside them, an in-run baseline: the RFC 6962 root over the same entries' JCS bytes
 * alone, so figures taken on a loaded machine can be read as ratios.
 *
 * Each size runs in its own process (a fresh heap), which reports wall and CPU time of each step
 * (CPU time moves less than wall time on a shared machine), the heap before and after, and the
 * peak resident set size before the close and after finality. `--followers K` folds the closing
 * entry and the signatures into K states in the process (copies of the state before the close),
 * as the three masters of an embedded network do.
 *
 * Folding 5 entries per task (admission, resolution, dispatch, signed receipt, signed decision) to
 * set an epoch up costs minutes at 10^5 tasks on a loaded machine. `--synthetic` sets it up in
 * seconds instead: one task is folded for real, then its task record and pending reward records are
 * copied N-1 times under new task ids (ids derived as the reducer derives them). The close and the
 * signatures are then folded as usual, so the measured steps do the same work per task.
 *
 *   npx tsx bench/settlement.bench.ts [--tasks 1000,10000,100000] [--followers 1] [--synthetic] [--json FILE]
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  apply,
  canonicalBytes,
  type Entry,
  merkleRootHex,
  type ProtocolState,
} from '../packages/protocol/src/index.ts';
import { createPendingRewards, rewardsOfTask } from '../packages/protocol/src/reducer/reward-records.ts';
import { defaultParameters, NetworkFixture } from '../packages/protocol/test/support/network-fixture.ts';
import { argValue, machine } from './bench-util.ts';

const economics = {
  genesis_supply: '1000000000000000000000000000',
  emission_year_bps: [800, 500, 300, 150],
  data_quality_pool_bps: 6000,
  unbonding_period_ms: 604_800_000,
};

type Row = {
  tasks: number;
  setup: 'folded' | 'synthetic';
  followers: number;
  rewards: number;
  payout_batches: number;
  setup_s: number;
  close_to_candidate_ms: number;
  close_to_candidate_cpu_ms: number;
  candidate_to_finality_ms: number;
  candidate_to_finality_cpu_ms: number;
  close_to_finality_ms: number;
  baseline_root_only_ms: number;
  baseline_root_only_cpu_ms: number;
  candidate_vs_baseline_cpu: number;
  heap_before_close_mib: number;
  heap_after_finality_mib: number;
  peak_rss_before_close_mib: number;
  peak_rss_after_finality_mib: number;
  load_before: number;
  load_after: number;
};

const mib = (bytes: number) => +(bytes / 2 ** 20).toFixed(0);
const peakRssMib = () => mib(process.resourceUsage().maxRSS * 1024);

/** Wall and CPU milliseconds of `fn`. */
function measure(fn: () => void): { wall: number; cpu: number } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  fn();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000 };
}

/** Copies the verified task `seed` as `count` more tasks awaiting settlement, with their pending rewards. */
function copyVerifiedTask(net: NetworkFixture, seed: string, count: number): void {
  const state = net.state;
  const template = state.tasks[seed]!;
  const lines = rewardsOfTask(state, seed).map((r) => ({ account: r.account, role: r.role, units: r.units }));
  for (let i = 1; i <= count; i++) {
    const task_id = `tsk_s${i.toString(36)}`;
    state.tasks[task_id] = { ...structuredClone(template), task_id, reward_ids: [] };
    createPendingRewards(state, task_id, template.settle_epoch!, template.policy_version, lines);
  }
}

/** One size, in this process. */
function runOne(tasks: number, followers: number, synthetic: boolean): Row {
  const load_before = loadavg()[0]!;
  const net = new NetworkFixture()
    .genesis(defaultParameters({ economics }))
    .enterpriseNode('node_ent-a', ['vlt_a1'])
    .enterpriseNode('node_ent-b', ['vlt_b1']);
  const buildStarted = performance.now();
  if (synthetic) {
    net.completeTask('tsk_s0', ['vlt_a1']);
    copyVerifiedTask(net, 'tsk_s0', tasks - 1);
  } else {
    for (let i = 0; i < tasks; i++) net.completeTask(`tsk_s${i.toString(36)}`, [i % 3 === 0 ? 'vlt_b1' : 'vlt_a1']);
  }
  const buildMs = performance.now() - buildStarted;
  net.time_ms += 3_600_000;
  // The other followers' states: copies of the fixture's state before the close.
  const others: ProtocolState[] = Array.from({ length: followers - 1 }, () => structuredClone(net.state));
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = peakRssMib();

  const fold = (entry: Entry) => {
    for (const s of others) if (apply(s, entry).kind !== 'applied') throw new Error('a follower refused');
  };
  const candidate = measure(() => {
    net.closeEpoch();
    fold(net.entries.at(-1)!);
  });
  const s = net.state.settlements[1]!;
  if (s.state !== 'candidate_ready' || s.entries.length !== tasks) throw new Error('candidate not built');
  const finality = measure(() => {
    for (const master of [0, 1]) {
      if (net.sign(1, master).kind !== 'applied') throw new Error('signature refused');
      fold(net.entries.at(-1)!);
    }
  });
  const settled = net.state.settlements[1]!;
  if (settled.state !== 'finalized') throw new Error('not finalized');
  for (const o of others) {
    if (o.settlements[1]!.certificate?.statement.rewards_root !== settled.certificate!.statement.rewards_root)
      throw new Error('a follower finalized another root');
  }
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  const rssAfter = peakRssMib();
  const leaves = settled.entries.map((e) => canonicalBytes(e));
  const baseline = measure(() => merkleRootHex(leaves));
  return {
    tasks,
    setup: synthetic ? 'synthetic' : 'folded',
    followers,
    rewards: settled.certificate!.statement.reward_count,
    payout_batches: Object.keys(net.state.payout_batches ?? {}).length,
    setup_s: +(buildMs / 1000).toFixed(1),
    close_to_candidate_ms: +candidate.wall.toFixed(0),
    close_to_candidate_cpu_ms: +candidate.cpu.toFixed(0),
    candidate_to_finality_ms: +finality.wall.toFixed(0),
    candidate_to_finality_cpu_ms: +finality.cpu.toFixed(0),
    close_to_finality_ms: +(candidate.wall + finality.wall).toFixed(0),
    baseline_root_only_ms: +baseline.wall.toFixed(1),
    baseline_root_only_cpu_ms: +baseline.cpu.toFixed(1),
    candidate_vs_baseline_cpu: +(candidate.cpu / Math.max(baseline.cpu, 0.1)).toFixed(0),
    heap_before_close_mib: mib(heapBefore),
    heap_after_finality_mib: mib(heapAfter),
    peak_rss_before_close_mib: rssBefore,
    peak_rss_after_finality_mib: rssAfter,
    load_before: +load_before.toFixed(1),
    load_after: +loadavg()[0]!.toFixed(1),
  };
}

const one = argValue('--one');
const followers = Number(argValue('--followers') ?? 1);
const synthetic = process.argv.includes('--synthetic');
if (one) {
  process.stdout.write(`${JSON.stringify(runOne(Number(one), followers, synthetic))}\n`);
} else {
  const sizes = (argValue('--tasks') ?? '1000,10000').split(',').map(Number);
  const rows: Row[] = [];
  const failed: string[] = [];
  for (const tasks of sizes) {
    const child = spawnSync(
      process.execPath,
      [
        ...process.execArgv,
        '--expose-gc',
        '--max-old-space-size=8192',
        fileURLToPath(import.meta.url),
        '--one',
        String(tasks),
        '--followers',
        String(followers),
        ...(synthetic ? ['--synthetic'] : []),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
    );
    if (child.status !== 0) {
      // The size failed (its error is above, on stderr): say so in the table and go on.
      failed.push(`${tasks} tasks: the run exited with ${child.status ?? child.signal}`);
      continue;
    }
    rows.push(JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Row);
    console.error(`done ${tasks}`);
  }
  console.log(`settlement (${machine()})`);
  console.log(
    '| tasks | setup | followers | reward records | close to candidate ms (cpu) | candidate to finality ms (cpu) | root only ms (cpu) | candidate cpu / root only cpu | heap before close MiB | heap after finality MiB | peak RSS before close MiB | peak RSS after finality MiB | setup s | load avg |',
  );
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.tasks} | ${r.setup} | ${r.followers} | ${r.rewards} | ${r.close_to_candidate_ms} (${r.close_to_candidate_cpu_ms}) | ${r.candidate_to_finality_ms} (${r.candidate_to_finality_cpu_ms}) | ${r.baseline_root_only_ms} (${r.baseline_root_only_cpu_ms}) | ${r.candidate_vs_baseline_cpu} | ${r.heap_before_close_mib} | ${r.heap_after_finality_mib} | ${r.peak_rss_before_close_mib} | ${r.peak_rss_after_finality_mib} | ${r.setup_s} | ${r.load_before}-${r.load_after} |`,
    );
  }
  for (const f of failed) console.log(`FAILED: ${f}`);
  const json = argValue('--json');
  if (json)
    writeFileSync(json, `${JSON.stringify({ bench: 'settlement', machine: machine(), rows, failed }, null, 2)}\n`);
  if (failed.length > 0) process.exitCode = 1;
}
