/**
 * Replay speed: a fresh node replays an exported log (hash chain checked per entry, every entry
 * folded and appended to an in-memory protocol log, every checkpoint recomputed and compared), in
 * log entries per second, beside a baseline in the same run: the raw hash-chain walk over the same
 * export lines (JSON.parse and the entry hash per line, nothing folded). Beside wall time, the
 * process's CPU time over the same runs (it moves less than wall time on a shared machine).
 *
 *   npx tsx bench/replay.bench.ts [--tasks 1000,5000] [--runs 3] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { MemoryProtocolLog } from '../packages/node/src/adapters/memory-protocol-log.ts';
import { exportLinesOf } from '../packages/node/src/assurance/log-export.ts';
import { replayExport } from '../packages/node/src/assurance/replay-log.ts';
import { type Entry, entryHash, GENESIS_PREV_HASH } from '../packages/protocol/src/index.ts';
import { busyNetwork } from '../spec/scenarios.ts';
import { argValue, machine, median, timeMs, timeMsAsync } from './bench-util.ts';

const sizes = (argValue('--tasks') ?? '1000,5000').split(',').map(Number);
const runs = Number(argValue('--runs') ?? 3);

async function* linesOf(lines: readonly string[]) {
  yield* lines;
}

/** The baseline: parse each line and check its link and hash; checkpoint lines are only parsed. */
function walkChain(lines: readonly string[]): number {
  let prev = GENESIS_PREV_HASH;
  let n = 0;
  for (let i = 1; i < lines.length; i++) {
    const v = JSON.parse(lines[i]!) as Entry & { hash: string };
    if (!('seq' in v)) continue;
    const { hash, ...body } = v;
    if (v.prev_hash !== prev || entryHash(body) !== hash) throw new Error(`chain breaks at ${v.seq}`);
    prev = hash;
    n++;
  }
  return n;
}

const loadBefore = loadavg()[0]!;
const rows = [];
for (const tasks of sizes) {
  const net = busyNetwork(tasks, 500);
  const lines = [...exportLinesOf(net.entries)];
  const entries = net.entries.length;
  const checkpoints = lines.filter((l) => l.startsWith('{"checkpoint"')).length;
  const walkMs: number[] = [];
  const replayMs: number[] = [];
  const replayCpuMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    walkMs.push(
      timeMs(() => {
        if (walkChain(lines) !== entries) throw new Error('walk count');
      }),
    );
    const cpu = process.cpuUsage();
    replayMs.push(
      await timeMsAsync(async () => {
        const out = await replayExport(linesOf(lines), { log: new MemoryProtocolLog() });
        if (!out.ok || out.entries !== entries) throw new Error(`replay failed: ${JSON.stringify(out)}`);
      }),
    );
    const used = process.cpuUsage(cpu);
    replayCpuMs.push((used.user + used.system) / 1000);
  }
  const w = median(walkMs);
  const r = median(replayMs);
  const rc = median(replayCpuMs);
  rows.push({
    tasks,
    entries,
    checkpoints,
    replay_ms: +r.toFixed(0),
    replay_entries_per_s: Math.round(entries / (r / 1000)),
    replay_cpu_ms: +rc.toFixed(0),
    replay_entries_per_cpu_s: Math.round(entries / (rc / 1000)),
    chain_walk_ms: +w.toFixed(0),
    chain_walk_entries_per_s: Math.round(entries / (w / 1000)),
    replay_over_walk: +(r / w).toFixed(1),
  });
}
const loadAfter = loadavg()[0]!;
console.log(`replay speed (${machine()}; load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after)`);
console.log(
  '| tasks | log entries | checkpoints | replay ms | replay entries/s | replay CPU ms | entries per CPU s | chain walk ms | chain walk entries/s | replay / walk |',
);
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const x of rows) {
  console.log(
    `| ${x.tasks} | ${x.entries} | ${x.checkpoints} | ${x.replay_ms} | ${x.replay_entries_per_s} | ${x.replay_cpu_ms} | ${x.replay_entries_per_cpu_s} | ${x.chain_walk_ms} | ${x.chain_walk_entries_per_s} | ${x.replay_over_walk}x |`,
  );
}
const json = argValue('--json');
if (json) writeFileSync(json, JSON.stringify({ machine: machine(), loadBefore, loadAfter, rows }, null, 2));
