/**
 * Sandbox throughput: rows per second through a typical Compute program (coffee eligibility over
 * receipt rows) run in the QuickJS WebAssembly sandbox, beside the same function run natively in
 * V8 in the same process and run. Both sides start from the same rows in memory and do the same
 * work: serialize the rows, parse them, run the program, serialize its output (the sandbox side
 * encodes the rows as a value dictionary and an index table on the host and builds them inside
 * QuickJS, see sandbox-rows.ts; the native side round-trips
 * the rows through JSON.stringify/JSON.parse). The sandbox also pays for a fresh WebAssembly
 * instance per run (reported apart). Never asserts timings; prints a markdown table.
 *
 * The interpreter floor: the same program, wrapped to run 5 times over the rows it was given,
 * costs (repeated - once) / (5 - 1) more per call; that is QuickJS running the function on
 * rows already in its memory, the sandbox's counterpart of the bare function in V8. The rest of a
 * run (instance setup, rows crossing in and being built, the output leaving) is the sandbox's
 * overhead around it.
 *
 * On a shared, loaded machine wall time mostly measures waiting for a core, so the sandbox and the
 * bare function are also timed in CPU time (`process.cpuUsage`, all of the process's threads).
 *
 * `--against DIR` also runs the sandbox of another checkout (say a worktree of an earlier commit),
 * interleaved with this one in the same process, each round in alternating order, and prints a
 * second table comparing the two: on a noisy machine, the only comparison of two versions that both
 * see the same load.
 *
 * Run with `--expose-gc` (tsx passes it to Node) and every timed measurement starts from a
 * collected V8 heap, so that none pays for collecting the garbage of the one before it (the JSON
 * round trip of baseline (a) leaves some 30 MiB at 10^5 rows, which the next measurement would
 * otherwise collect); the table's header says which way it ran.
 *
 *   npx tsx [--expose-gc] bench/sandbox.bench.ts [--rows 10000,100000] [--runs 5] [--against DIR] [--json FILE]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEFAULT_SANDBOX_LIMITS, runSandboxed } from '../packages/node/src/execution/sandbox/quickjs-sandbox.ts';
import { argValue, machine, median, timeMs, timeMsAsync } from './bench-util.ts';

type Program = { name: string; source: string; native: (rows: unknown[], ctx: unknown) => unknown };
const programs: Program[] = [];
for (const name of ['coffee-eligibility', 'spend-features']) {
  const url = new URL(`../examples/programs/${name}.js`, import.meta.url);
  programs.push({ name, source: await readFile(url, 'utf8'), native: (await import(url.href)).default });
}
const sizes = (argValue('--rows') ?? '10000,100000').split(',').map(Number);
const runs = Number(argValue('--runs') ?? '5');
const againstDir = argValue('--against');
/** The other checkout's sandbox, for `--against`. */
const against: typeof runSandboxed | undefined = againstDir
  ? (
      await import(
        new URL(`file://${resolve(againstDir, 'packages/node/src/execution/sandbox/quickjs-sandbox.ts')}`).href
      )
    ).runSandboxed
  : undefined;
const now_ms = Date.parse('2026-11-28T00:00:00Z');
const ctx = {
  task_id: 'tsk_bench',
  epoch_id: 1,
  semantic_version: '1.0.0',
  policy_version: 1,
  seed: 'ab'.repeat(32),
  now_ms,
  k_min: 5,
};

function rowsOf(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    subject: `act_sub-${String(i % Math.max(50, n / 20)).padStart(5, '0')}`,
    fields: {
      category: i % 4 === 0 ? 'grocery' : 'coffee',
      total_amount: `${(i % 17) + 2}.${i % 10}0`,
      purchased_at: new Date(now_ms - (i % 40) * 86_400_000 - (i % 997) * 1000).toISOString(),
    },
  }));
}

// Warm-up, not measured: the first run compiles the WebAssembly module (once per process), and a
// run of each program over 10^4 rows lets V8 tier QuickJS's hot functions up from its baseline
// WebAssembly compiler, as a node's first tasks would; the native functions get the same run.
for (const sandbox of against ? [runSandboxed, against] : [runSandboxed]) {
  await sandbox(programs[0]!.source, rowsOf(10), ctx);
  for (const { source } of programs)
    await sandbox(source, rowsOf(10_000), ctx, { ...DEFAULT_SANDBOX_LIMITS, fuel: 1_000_000 });
}
for (const { native } of programs) native(rowsOf(10_000), ctx);
const empty = 'export default function run() { return 0 }';
const REPEAT = 5;
const collect = (globalThis as { gc?: () => void }).gc;
/** Collects the V8 heap before a timed measurement when Node runs with --expose-gc. */
const settle = () => collect?.();
const cpuMsSince = (start: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
};
/** The program run REPEAT times over the same rows (bench only: measures the per-call cost inside QuickJS). */
const repeated = (source: string) =>
  `${source.replace('export default function run(', 'function run(')}
export default function repeated(rows, ctx) { for (let k = 1; k < ${REPEAT}; k++) run(rows, ctx); return run(rows, ctx); }`;

const results = [];
for (const { name, source, native } of programs)
  for (const n of sizes) {
    const rows = rowsOf(n);
    const json = JSON.stringify(rows);
    const limits = { ...DEFAULT_SANDBOX_LIMITS, fuel: 10_000_000, timeMs: 600_000, memoryBytes: 1024 * 1024 * 1024 };
    const sandboxMs: number[] = [];
    const nativeMs: number[] = [];
    const setupMs: number[] = [];
    const fnOnlyMs: number[] = [];
    const repeatedMs: number[] = [];
    const sandboxCpu: number[] = [];
    const fnOnlyCpu: number[] = [];
    const repeatedCpu: number[] = [];
    const againstMs: number[] = [];
    const againstCpu: number[] = [];
    const thisMs: number[] = [];
    const thisCpu: number[] = [];
    let fuel = 0;
    let memory = 0;
    let same = true;
    for (let r = 0; r < runs; r++) {
      let nativeOut = '';
      settle();
      nativeMs.push(
        timeMs(() => {
          nativeOut = JSON.stringify(native(JSON.parse(JSON.stringify(rows)), ctx));
        }),
      );
      settle();
      let cpu0 = process.cpuUsage();
      fnOnlyMs.push(timeMs(() => void native(rows, ctx)));
      fnOnlyCpu.push(cpuMsSince(cpu0));
      let sandboxOut = '';
      settle();
      cpu0 = process.cpuUsage();
      sandboxMs.push(
        await timeMsAsync(async () => {
          const run = await runSandboxed(source, rows, ctx, limits);
          sandboxOut = run.outputJson;
          fuel = run.fuelUsed;
          memory = run.memoryPeakBytes;
        }),
      );
      sandboxCpu.push(cpuMsSince(cpu0));
      settle();
      setupMs.push(await timeMsAsync(async () => void (await runSandboxed(empty, [], ctx, limits))));
      settle();
      cpu0 = process.cpuUsage();
      repeatedMs.push(await timeMsAsync(async () => void (await runSandboxed(repeated(source), rows, ctx, limits))));
      repeatedCpu.push(cpuMsSince(cpu0));
      if (against) {
        // This sandbox and the other, in alternating order, timed alike.
        const pair = r % 2 === 0 ? [runSandboxed, against] : [against, runSandboxed];
        for (const sandbox of pair) {
          settle();
          cpu0 = process.cpuUsage();
          const ms = await timeMsAsync(async () => void (await sandbox(source, rows, ctx, limits)));
          const cpu = cpuMsSince(cpu0);
          (sandbox === against ? againstMs : thisMs).push(ms);
          (sandbox === against ? againstCpu : thisCpu).push(cpu);
        }
      }
      // bonus_band is a Math.random draw: seeded in the sandbox, unseeded natively.
      const { bonus_band: _a, ...nativeRest } = JSON.parse(nativeOut);
      const { bonus_band: _b, ...sandboxRest } = JSON.parse(sandboxOut);
      same &&= JSON.stringify(nativeRest) === JSON.stringify(sandboxRest);
    }
    const s = median(sandboxMs);
    const v = median(nativeMs);
    const setup = median(setupMs);
    const fnOnly = median(fnOnlyMs);
    // Paired per run (both runs of one iteration saw the same load), then the median.
    const programOnly = Math.max(0, median(repeatedMs.map((t, i) => (t - sandboxMs[i]!) / (REPEAT - 1))));
    results.push({
      program: name,
      rows: n,
      json_mb: json.length / 2 ** 20,
      sandbox_ms: s,
      native_ms: v,
      setup_ms: setup,
      sandbox_rows_per_s: (n / s) * 1000,
      native_rows_per_s: (n / v) * 1000,
      ratio: s / v,
      ratio_without_setup: Math.max(0, s - setup) / v,
      native_function_only_ms: fnOnly,
      ratio_to_function_only: s / fnOnly,
      sandbox_program_only_ms: programOnly,
      program_only_to_function_only: programOnly / fnOnly,
      sandbox_cpu_ms: median(sandboxCpu),
      native_function_only_cpu_ms: median(fnOnlyCpu),
      cpu_ratio_to_function_only: median(sandboxCpu) / median(fnOnlyCpu),
      program_only_cpu_to_function_only_cpu:
        Math.max(0, median(repeatedCpu.map((t, i) => (t - sandboxCpu[i]!) / (REPEAT - 1)))) / median(fnOnlyCpu),
      fuel,
      memory_peak_mib: memory / 2 ** 20,
      same_output: same,
      ...(against
        ? {
            against: {
              this_ms: median(thisMs),
              other_ms: median(againstMs),
              this_cpu_ms: median(thisCpu),
              other_cpu_ms: median(againstCpu),
              cpu_ratio_per_round: thisCpu.map((c, i) => c / againstCpu[i]!),
            },
          }
        : {}),
    });
  }

const f = (x: number, d = 1) => x.toFixed(d);
console.log(
  `\nmachine: ${machine()}; runs per size: ${runs} (medians); V8 heap collected before each measurement: ${collect ? 'yes' : 'no (run with --expose-gc)'}\n`,
);
console.log(
  '| program | rows | rows JSON MiB | sandbox ms | native V8 ms | sandbox rows/s | native rows/s | sandbox / native | same, without instance setup | instance setup ms | native function alone ms | sandbox / function alone | program alone in QuickJS ms | program alone / function alone | sandbox CPU ms | function alone CPU ms | sandbox / function alone, CPU | program alone / function alone, CPU | fuel | WASM memory MiB | outputs equal (but the random draw) |',
);
console.log(
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |',
);
for (const r of results)
  console.log(
    `| ${r.program} | ${r.rows} | ${f(r.json_mb)} | ${f(r.sandbox_ms)} | ${f(r.native_ms)} | ${f(r.sandbox_rows_per_s, 0)} | ${f(r.native_rows_per_s, 0)} | ${f(r.ratio, 2)}x | ${f(r.ratio_without_setup, 2)}x | ${f(r.setup_ms)} | ${f(r.native_function_only_ms)} | ${f(r.ratio_to_function_only, 1)}x | ${f(r.sandbox_program_only_ms)} | ${f(r.program_only_to_function_only, 1)}x | ${f(r.sandbox_cpu_ms)} | ${f(r.native_function_only_cpu_ms)} | ${f(r.cpu_ratio_to_function_only, 1)}x | ${f(r.program_only_cpu_to_function_only_cpu, 1)}x | ${r.fuel} | ${f(r.memory_peak_mib)} | ${r.same_output ? 'yes' : 'NO'} |`,
  );
if (againstDir) {
  console.log(`\nthis checkout against ${againstDir}, interleaved in this process (medians of ${runs} rounds):\n`);
  console.log(
    '| program | rows | this ms | other ms | this CPU ms | other CPU ms | this / other, CPU | this / other, CPU, each round |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of results) {
    const a = r.against!;
    console.log(
      `| ${r.program} | ${r.rows} | ${f(a.this_ms)} | ${f(a.other_ms)} | ${f(a.this_cpu_ms)} | ${f(a.other_cpu_ms)} | ${f((100 * a.this_cpu_ms) / a.other_cpu_ms, 0)} % | ${a.cpu_ratio_per_round.map((x) => f(100 * x, 0)).join(' / ')} % |`,
    );
  }
}
const out = argValue('--json');
if (out) await writeFile(out, `${JSON.stringify({ machine: machine(), runs, results }, null, 2)}\n`);
