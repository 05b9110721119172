/**
 * End-to-end benchmark of the embedded network over its HTTP API, beside a bare baseline in the
 * same run:
 *
 *   a. lifecycle: N compute tasks (builtin count/sum with a filter, each with an Idempotency-Key)
 *      submitted over HTTP with bounded concurrency; tasks/s from the first admission until every
 *      task is `awaiting_settlement`, per-task admission -> awaiting_settlement latency from the
 *      folded history (log times), then epoch close -> finalized.
 *   b. admission: autocannon (in a child process) against `POST /v1/tasks` at 1/16/64
 *      connections, every request a new task (fresh Idempotency-Key); the tasks it admits are
 *      drained (carried to `awaiting_settlement`) before the next measurement.
 *   c. baseline: a bare fastify server whose one route does exactly one PGlite insert per request
 *      (in-memory PGlite from the same template), with the same autocannon settings and body.
 *   d. memory (rss / heap) before and after each phase.
 *
 * Every network is fresh: in-memory PGlite from the cached template, MemoryKeyring, the embedded
 * topology (3 masters, 2 enterprise nodes, 3 Vaults), a realistic receipts set ingested over HTTP.
 *
 *   npx tsx bench/lifecycle.bench.ts [--tasks 200,1000] [--runs 3] [--concurrency 16]
 *     [--connections 1,16,64] [--duration 10] [--warmup 2] [--records 3000] [--subjects 80]
 *     [--phases lifecycle,admission] [--threads 1,2] [--pipeline-split all|enterprises|masters]
 *     [--clients autocannon|retry-after] [--backlog N] [--timeline] [--json FILE]
 *
 * --clients retry-after replaces autocannon with clients that wait as a 503's Retry-After says
 * and then send the same request again (what the SDK does), for the baseline as well.
 *
 * --threads 1,2 measures the network on one thread and with its pipeline (the other masters and
 * the enterprise nodes, own in-memory PGlite) in a worker thread, side by side in one run; CPU is
 * the whole process's (every thread).
 *
 * Diagnostics: --sql-stats (count and time every statement), --sql-costs (time each statement kind
 * alone on the idle network after the first lifecycle run), --profile-lifecycle FILE (CPU profile
 * of the first lifecycle run's measured window; summarize with bench/profile-summary.ts),
 * --profile-admission FILE (the same for the first Symphony admission window, warm-up included).
 */
import { execFileSync, fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { type EventLoopUtilization, performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Fastify, { type FastifyInstance } from 'fastify';
import { MemoryKeyring } from '../packages/node/src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../packages/node/src/adapters/pglite-store.ts';
import { createHttpServer } from '../packages/node/src/application/http-server.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../packages/node/src/roles/embedded-network.ts';
import { openTestPglite, pgliteTemplate } from '../packages/node/test/support/pglite.ts';
import { prng } from '../packages/node/test/support/prng.ts';
import { argValue, machine, median, percentile } from './bench-util.ts';
import type { LoadJob, LoadResult, SubmitJob, SubmitResult } from './load-client.ts';

const list = (flag: string, fallback: string) => (argValue(flag) ?? fallback).split(',').map(Number);
const taskSizes = list('--tasks', '200,1000');
const runs = Math.max(1, Number(argValue('--runs') ?? 3));
const concurrency = Number(argValue('--concurrency') ?? 16);
const connectionCounts = list('--connections', '1,16,64');
const durationSeconds = Number(argValue('--duration') ?? 10);
const warmupSeconds = Number(argValue('--warmup') ?? 2);
const clients = argValue('--clients') === 'retry-after' ? 'retry-after' : 'autocannon';
const recordCount = Number(argValue('--records') ?? 3000);
const subjectCount = Number(argValue('--subjects') ?? 80);
/** 1: every node on the main thread; 2: the pipeline in a worker thread (see `pipelineThread`). */
const threadModes = list('--threads', '1');
/**
 * Which nodes the pipeline worker runs with --threads 2: `all` (masters 2 and 3 and both enterprise
 * nodes, the default), `enterprises` (enterprise nodes only) or `masters` (masters 2 and 3 only).
 */
const pipelineSplit = argValue('--pipeline-split') ?? 'all';
/** The coordinator's pipeline backlog (admission answers 503 past it); default the network's own. */
/** --timeline: every 0.5 s of a lifecycle run, both event loops' busy share, tasks admitted and open. */
const timelineWanted = process.argv.includes('--timeline');
const pipelineBacklog = argValue('--backlog') ? Number(argValue('--backlog')) : undefined;
const splitNodes = {
  all: {},
  enterprises: { masters: [] },
  masters: { enterprises: [] },
}[pipelineSplit];
if (!splitNodes) throw new Error(`--pipeline-split: all, enterprises or masters, not ${pipelineSplit}`);
const phases = new Set((argValue('--phases') ?? 'lifecycle,admission').split(','));
const jsonPath = argValue('--json');
/** Diagnostics: count and time every `store.query` by statement (wall time, including PGlite's queue). */
const sqlStats = process.argv.includes('--sql-stats');
/** Diagnostics: a V8 CPU profile of the first lifecycle run's measured window only (first admission -> all awaiting_settlement). */
const profilePath = argValue('--profile-lifecycle');
let profiled = false;
/** Diagnostics: a V8 CPU profile of the first Symphony admission window (warm-up and measured window). */
const admissionProfilePath = argValue('--profile-admission');

async function startProfile(): Promise<Session> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  return session;
}

async function stopProfile(session: Session, path: string): Promise<void> {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(path, JSON.stringify(profile));
  session.disconnect();
}
/**
 * Diagnostics: after the first lifecycle run, with the network idle, time each kind of statement
 * the network issues (same SQL shapes, same data) one at a time, so its cost excludes queueing.
 */
const sqlCostsWanted = process.argv.includes('--sql-costs');
let sqlCosts: { statement: string; per_call_ms: number; rows_per_call: number }[] | undefined;

async function statementCosts(env: Env): Promise<NonNullable<typeof sqlCosts>> {
  const q = env.store.query;
  const head = Number((await q<{ seq: bigint }>('select max(seq) as seq from network_log'))[0]!.seq);
  const out: NonNullable<typeof sqlCosts> = [];
  const time = async (statement: string, n: number, fn: (i: number) => Promise<unknown[]>) => {
    await fn(0);
    let rows = 0;
    const start = performance.now();
    for (let i = 0; i < n; i++) rows += (await fn(i)).length;
    out.push({
      statement,
      per_call_ms: Math.round(((performance.now() - start) / n) * 1000) / 1000,
      rows_per_call: rows / n,
    });
  };
  await time('log read, 1 new entry (each follower, each append)', 300, (i) =>
    q('select seq, entry from network_log where seq >= $1 order by seq limit $2', [head - (i % 100), 1]),
  );
  await time('log read, nothing new (poll)', 300, () =>
    q('select seq, entry from network_log where seq >= $1 order by seq limit $2', [head + 1, 256]),
  );
  await q('create table bench_log (like network_log including all)');
  const entries = await q<{ seq: bigint; hash: string; prev_hash: string; entry: string }>(
    'select seq, hash, prev_hash, entry from network_log order by seq limit 400',
  );
  const append = `with head as (select seq, hash from bench_log order by seq desc limit 1),
        ins as (
          insert into bench_log (seq, hash, prev_hash, entry)
          select $1::bigint, $2::text, $3::text, $4::text
          where coalesce((select seq from head), -1) = $1::bigint - 1
            and coalesce((select hash from head), '${'0'.repeat(64)}') = $3::text
          on conflict do nothing
          returning seq
        )
        select seq, pg_notify('bench_log', seq::text) as notified from ins`;
  let k = 0;
  await time('log append (conditional insert + pg_notify)', entries.length - 1, () => {
    const e = entries[k++]!;
    return q(append, [e.seq, e.hash, e.prev_hash, e.entry]);
  });
  await time('idempotency key lookup', 300, (i) =>
    q('select body_hash, task_id from node_master_1.idempotency_keys where key = $1', [`nokey-${i}`]),
  );
  await time('idempotency key insert', 300, (i) =>
    q(
      'insert into node_master_1.idempotency_keys (key, body_hash, task_id) values ($1, $2, $3) on conflict (key) do nothing',
      [`bench-${i}`, 'a'.repeat(64), `tsk_${'b'.repeat(32)}`],
    ),
  );
  await time('vault head (last committed upload)', 100, () =>
    q("select max(commit_seq)::bigint as seq from node_lioncity.uploads where vault_id = $1 and state = 'committed'", [
      'vlt_lioncity-app',
    ]),
  );
  await time(`vault snapshot (${VAULTS[0]!.vault_id}, every sealed row)`, 30, () =>
    q(
      `select r.seq, r.record_id, r.subject, r.ciphertext, r.commitment from node_lioncity.sealed_records r
       join node_lioncity.uploads u on u.upload_no = r.upload_no
       where u.vault_id = $1 and u.state = 'committed' order by u.commit_seq, r.seq`,
      ['vlt_lioncity-app'],
    ),
  );
  await q('drop table bench_log');
  return out;
}
const sqlCalls = new Map<string, { calls: number; rows: number; ms: number }>();

function instrument(store: PgliteStore): void {
  const query = store.query;
  const wrapped = async <T extends object>(sql: string, params?: readonly unknown[]): Promise<T[]> => {
    const start = performance.now();
    const rows = await query<T>(sql, params);
    const key = sql.replace(/\s+/g, ' ').trim().slice(0, 90);
    const s = sqlCalls.get(key) ?? { calls: 0, rows: 0, ms: 0 };
    s.calls++;
    s.rows += rows.length;
    s.ms += performance.now() - start;
    sqlCalls.set(key, s);
    return rows;
  };
  Object.defineProperty(store, 'query', { value: wrapped });
}

// ---------------------------------------------------------------------------------------------
// Data: a deterministic, realistic receipts set and a few compute task shapes.

const CATEGORIES: Record<string, { merchants: string[]; min: number; max: number; weight: number }> = {
  coffee: { merchants: ['Kopi Corner', 'Brew Lab', 'Tiong Bahru Bakery', 'Flash Coffee'], min: 3, max: 12, weight: 5 },
  grocery: { merchants: ['FairPrice', 'Cold Storage', 'Sheng Siong', 'Giant'], min: 8, max: 180, weight: 4 },
  dining: {
    merchants: ['Din Tai Fung', 'Hawker Centre Stall 12', 'Jumbo Seafood', 'Nando\u2019s'],
    min: 6,
    max: 220,
    weight: 3,
  },
  transport: { merchants: ['Grab', 'SMRT', 'ComfortDelGro', 'Gojek'], min: 2, max: 45, weight: 3 },
  pharmacy: { merchants: ['Guardian', 'Watsons', 'Unity'], min: 4, max: 90, weight: 1 },
  electronics: { merchants: ['Challenger', 'Courts', 'Best Denki'], min: 20, max: 2400, weight: 1 },
};
const CITIES = ['Singapore', 'Singapore', 'Singapore', 'Kuala Lumpur', 'Johor Bahru', 'Jakarta'];
const VAULTS = [
  { vault_id: 'vlt_lioncity-app', share: 0.4 },
  { vault_id: 'vlt_lioncity-loyalty', share: 0.3 },
  { vault_id: 'vlt_straits-wallet', share: 0.3 },
];

type RecordInput = { subject: string; fields: Record<string, string> };

function receipts(total: number, subjects: number): Map<string, RecordInput[]> {
  const rnd = prng(20261120);
  const cats = Object.entries(CATEGORIES).flatMap(([name, c]) => Array<string>(c.weight).fill(name));
  const start = Date.parse('2026-09-01T00:00:00Z');
  const span = 90 * 86_400_000;
  const out = new Map<string, RecordInput[]>();
  for (const [v, { vault_id, share }] of VAULTS.entries()) {
    const n =
      v === VAULTS.length - 1 ? total - [...out.values()].reduce((s, r) => s + r.length, 0) : Math.round(total * share);
    const records: RecordInput[] = [];
    for (let i = 0; i < n; i++) {
      // Skewed activity: some subjects shop far more than others, every subject shops somewhere.
      const s = i < subjects ? i : Math.floor(rnd() ** 1.6 * subjects);
      const category = cats[Math.floor(rnd() * cats.length)]!;
      const c = CATEGORIES[category]!;
      const cents = Math.round((c.min + rnd() * (c.max - c.min)) * 100);
      records.push({
        subject: `act_subject-${String(s).padStart(3, '0')}`,
        fields: {
          merchant: c.merchants[Math.floor(rnd() * c.merchants.length)]!,
          category,
          city: CITIES[Math.floor(rnd() * CITIES.length)]!,
          total_amount: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`,
          purchased_at: new Date(start + Math.floor(rnd() * span)).toISOString().replace('.000Z', 'Z'),
        },
      });
    }
    out.set(vault_id, records);
  }
  return out;
}

/** The i-th compute task: a rotation over the Vaults, operators and filters. */
function computeTask(i: number) {
  const vault = VAULTS[i % VAULTS.length]!.vault_id;
  const shapes = [
    {
      attributes: ['category'],
      program: { type: 'builtin', operator: 'count' },
      filter: [{ attribute: 'category', op: 'eq', value: 'coffee' }],
    },
    {
      attributes: ['category', 'total_amount'],
      program: { type: 'builtin', operator: 'sum', attribute: 'total_amount' },
      filter: [{ attribute: 'category', op: 'in', value: ['grocery', 'dining'] }],
    },
    {
      attributes: ['city', 'total_amount'],
      program: { type: 'builtin', operator: 'sum', attribute: 'total_amount' },
      filter: [
        { attribute: 'city', op: 'eq', value: 'Singapore' },
        { attribute: 'total_amount', op: 'gte', value: '20.00' },
      ],
    },
    {
      attributes: ['merchant', 'purchased_at'],
      program: { type: 'builtin', operator: 'count' },
      filter: [{ attribute: 'purchased_at', op: 'between', value: ['2026-10-01T00:00:00Z', '2026-10-31T23:59:59Z'] }],
    },
  ] as const;
  const shape = shapes[Math.floor(i / VAULTS.length) % shapes.length]!;
  return {
    class: 'compute',
    submitter: `act_brand-${i % 4}`,
    consent_scope: 'analytics',
    targets: { vault_ids: [vault] },
    semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: [...shape.attributes] },
    budget: { max_fee: '100000' },
    spec: { kind: 'compute', program: shape.program, filter: shape.filter },
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers.

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

type Mem = { rss_mib: number; heap_used_mib: number; external_mib: number };
const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
/** Memory after a full GC (outside every timed window), so heap figures are what is retained. */
function mem(): Mem {
  gc();
  const m = process.memoryUsage();
  return { rss_mib: mib(m.rss), heap_used_mib: mib(m.heapUsed), external_mib: mib(m.external) };
}
/** CPU ms (user + system) one OS thread of this process has used (Linux /proc; NaN elsewhere). */
function threadCpuMs(tid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}
const load = () => loadavg().map((x) => Math.round(x * 100) / 100);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const r1 = (x: number) => Math.round(x * 10) / 10;

async function waitUntil(cond: () => boolean, what: string, timeoutMs: number, everyMs = 5): Promise<void> {
  const start = performance.now();
  let reported = start;
  while (!cond()) {
    const now = performance.now();
    if (now - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    if (now - reported > 60_000) {
      reported = now;
      console.error(`  still waiting for ${what} after ${Math.round((now - start) / 1000)} s`);
    }
    await sleep(everyMs);
  }
}

/** Progress on stderr, so a stuck step is visible while the benchmark runs. */
const step = (what: string) => console.error(`  [${new Date().toISOString().slice(11, 19)}] ${what}`);

type Env = {
  store: PgliteStore;
  net: EmbeddedNetwork;
  http: FastifyInstance;
  url: string;
  ingest: { records: number; ms: number };
};

const errors: string[] = [];

/** A fresh embedded network with its API on an ephemeral port and the receipts set ingested over HTTP. */
async function openNetwork(threads: number): Promise<Env> {
  const store = await openTestPglite();
  if (sqlStats) instrument(store);
  const net = await openEmbeddedNetwork({
    store,
    keyring: new MemoryKeyring(),
    ...(pipelineBacklog ? { pipelineBacklog } : {}),
    ...(threads === 2 ? { pipelineThread: { store: { loadDataDir: await pgliteTemplate() }, ...splitNodes } } : {}),
    onError: (what, error) => {
      if (errors.length < 20) errors.push(`${what}: ${(error as Error).message ?? String(error)}`);
    },
  });
  // This network registers no actors, so its API runs unsigned; the cost of request signatures is
  // measured beside an unsigned baseline in bench/admission.bench.ts.
  const http = await createHttpServer(net.coordinator.service, { authentication: false });
  const url = await http.listen({ port: 0, host: '127.0.0.1' });
  const start = performance.now();
  let records = 0;
  // The API takes at most 10 000 records per request; send them in batches of 5 000.
  const batches = [...receipts(recordCount, subjectCount)].flatMap(([vault_id, all]) =>
    Array.from(
      { length: Math.ceil(all.length / 5000) },
      (_, k) => [vault_id, all.slice(k * 5000, (k + 1) * 5000)] as const,
    ),
  );
  for (const [vault_id, batch] of batches) {
    const res = await fetch(`${url}/v1/vaults/${vault_id}/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ records: batch }),
    });
    const body = (await res.json()) as { accepted: number };
    if (res.status !== 201 || body.accepted !== batch.length)
      throw new Error(`ingest into ${vault_id}: ${res.status} ${JSON.stringify(body)}`);
    records += body.accepted;
    // Every subject consents to analytics (one consent_granted entry per batch), so its records count.
    const grants = [...new Set(batch.map((r) => r.subject))].map((subject) => ({
      vault_id,
      subject,
      scope: 'analytics',
      expires_at_ms: Date.UTC(2100, 0, 1),
    }));
    for (let k = 0; k < grants.length; k += 1000) {
      const consented = await fetch(`${url}/v1/consents`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grants: grants.slice(k, k + 1000) }),
      });
      if (consented.status !== 201) throw new Error(`consent in ${vault_id}: ${consented.status}`);
    }
  }
  return { store, net, http, url, ingest: { records, ms: performance.now() - start } };
}

async function closeEnv(env: Env): Promise<void> {
  await env.http.close();
  await env.net.close();
  await env.store.close();
}

const OPEN_STATES = new Set(['accepted', 'resolving', 'dispatched', 'verifying']);

// ---------------------------------------------------------------------------------------------
// a. Lifecycle throughput.

type LifecycleRun = {
  tasks: number;
  threads: number;
  run: number;
  load_before: number[];
  ingest_ms: number;
  admission_ms: number;
  end_to_end_ms: number;
  tasks_per_s: number;
  /** Process CPU (user + system) from the first admission until every task is awaiting_settlement, per task. */
  cpu_ms_per_task: number;
  /** Event loop utilization over the same window: the main thread's, and the pipeline worker's. */
  main_loop_busy: number;
  /** CPU ms per task of the main thread and of the worker thread (the rest: GC helpers, PGlite's and libuv's threads). */
  main_thread_cpu_ms_per_task: number;
  worker_thread_cpu_ms_per_task: number | undefined;
  worker_loop_busy: number | undefined;
  latency_ms: { p50: number; p95: number; p99: number; max: number };
  stage_p50_ms: Record<string, number>;
  http_admission_ms: { p50: number; p95: number; p99: number };
  /** Admissions answered 503 (pipeline backlog full) and retried after Retry-After. */
  retried_503: number;
  not_settled: number;
  /** Of the first 30 tasks, how many released a result suppressed below k_min (should be 0). */
  suppressed_in_sample: number;
  epoch_close_to_finalized_ms: number;
  epoch_close_to_finalized_all_masters_ms: number;
  completed: number;
  log_entries: number;
  append_conflicts: number;
  /** Group commits of all masters' log writers (entries appended / commits = entries per commit). */
  log_commits: number;
  log_appended: number;
  memory: { before: Mem; after_setup: Mem; after_lifecycle: Mem; after_finalized: Mem };
};

async function lifecycleRun(n: number, run: number, threads: number): Promise<LifecycleRun> {
  const before = mem();
  const load_before = load();
  step(`lifecycle run ${run} N=${n} threads=${threads}: opening the network`);
  const env = await openNetwork(threads);
  step(`lifecycle run ${run} N=${n}: ingested ${env.ingest.records} records; submitting`);
  const after_setup = mem();
  const state = env.net.coordinator.follower.state;
  const ids: string[] = new Array(n);
  const httpLatency: number[] = [];
  let retried503 = 0;
  const submitTasks = await forkLoadClient();
  let session: Session | undefined;
  if (profilePath && !profiled) {
    profiled = true;
    session = await startProfile();
  }
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const workerElu0: EventLoopUtilization | undefined = env.net.pipeline?.utilization();
  const mainCpu0 = threadCpuMs(process.pid);
  const workerCpu0 = threadCpuMs(env.net.pipeline?.osThreadId);
  const t0 = performance.now();
  let tlMain = performance.eventLoopUtilization();
  let tlWorker = env.net.pipeline?.utilization();
  const timeline = timelineWanted
    ? setInterval(() => {
        const m = performance.eventLoopUtilization(tlMain);
        const w = tlWorker ? env.net.pipeline!.utilization(tlWorker) : undefined;
        tlMain = performance.eventLoopUtilization();
        tlWorker = env.net.pipeline?.utilization();
        // The network is fresh: every task in its state is one of this run's admissions.
        const tasks = Object.values(state.tasks);
        const open = tasks.filter((t) => OPEN_STATES.has(t.state)).length;
        console.error(
          `  timeline ${((performance.now() - t0) / 1000).toFixed(1)}s main ${m.utilization.toFixed(2)} worker ${w?.utilization.toFixed(2)} admitted ${tasks.length} open ${open}`,
        );
      }, 500)
    : undefined;
  const submitted = await submitTasks<SubmitResult>({
    kind: 'submit',
    url: env.url,
    bodies: Array.from({ length: n }, (_, i) => JSON.stringify(computeTask(i))),
    keys: Array.from({ length: n }, (_, i) => `life-${n}-${run}-${i}`),
    concurrency,
  });
  submitted.task_ids.forEach((id, i) => {
    ids[i] = id;
  });
  httpLatency.push(...submitted.latencies_ms);
  retried503 = submitted.retried_503;
  const tAdmitted = performance.now();
  step(`lifecycle run ${run} N=${n}: all admitted; waiting for awaiting_settlement`);
  const pending = new Set(ids);
  let lastProgress = performance.now();
  let lastPending = pending.size;
  await waitUntil(
    () => {
      for (const id of pending) if (!OPEN_STATES.has(state.tasks[id]!.state)) pending.delete(id);
      if (pending.size !== lastPending) {
        lastPending = pending.size;
        lastProgress = performance.now();
      } else if (performance.now() - lastProgress > 30_000) {
        // A stall is a finding, not noise: say which states the stuck tasks are in.
        const states = new Map<string, number>();
        for (const id of pending) states.set(state.tasks[id]!.state, (states.get(state.tasks[id]!.state) ?? 0) + 1);
        console.error(
          `  stalled 30 s with ${pending.size} tasks open: ${JSON.stringify(Object.fromEntries(states))}, log head ${state.head?.seq}, ` +
            `masters at ${env.net.masters.map((m) => m.follower.state.head?.seq).join('/')}, errors: ${JSON.stringify(errors.slice(-3))}`,
        );
        lastProgress = performance.now();
      }
      return pending.size === 0;
    },
    `${n} tasks settled-ready`,
    600_000,
  );
  const tDone = performance.now();
  clearInterval(timeline);
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0).utilization;
  const mainCpu = threadCpuMs(process.pid) - mainCpu0;
  const workerCpu = threadCpuMs(env.net.pipeline?.osThreadId) - workerCpu0;
  const workerElu = workerElu0 ? env.net.pipeline!.utilization(workerElu0).utilization : undefined;
  if (session) await stopProfile(session, profilePath!);
  const after_lifecycle = mem();

  const latencies: number[] = [];
  const stages = new Map<string, number[]>();
  let notSettled = 0;
  for (const id of ids) {
    const h = state.tasks[id]!.history;
    const end = h.find((x) => x.state === 'awaiting_settlement');
    if (!end) {
      notSettled++;
      continue;
    }
    latencies.push(end.time_ms - h[0]!.time_ms);
    for (let k = 0; k + 1 < h.length && h[k]!.state !== 'awaiting_settlement'; k++) {
      const list = stages.get(h[k]!.state) ?? [];
      list.push(h[k + 1]!.time_ms - h[k]!.time_ms);
      stages.set(h[k]!.state, list);
    }
  }

  let suppressed = 0;
  for (const id of ids.slice(0, 30)) {
    const res = await fetch(`${env.url}/v1/tasks/${id}/result`);
    const body = (await res.json()) as { output?: { suppressed?: boolean } };
    if (res.status !== 200) throw new Error(`result of ${id}: ${res.status} ${JSON.stringify(body)}`);
    if (body.output?.suppressed) suppressed++;
  }

  const epoch = state.current_epoch;
  step(`lifecycle run ${run} N=${n}: closing epoch ${epoch}`);
  const tc = performance.now();
  const closed = await fetch(`${env.url}/v1/epochs/current/close`, { method: 'POST' });
  if (closed.status !== 200) throw new Error(`epoch close: ${closed.status} ${await closed.text()}`);
  await waitUntil(() => state.settlements[epoch]?.state === 'finalized', `epoch ${epoch} finalized`, 600_000, 2);
  const tFinal = performance.now();
  const finalizedAt = state.head!.seq;
  await waitUntil(
    () =>
      env.net.masters.every((m) => m.follower.state.settlements[epoch]?.state === 'finalized') &&
      [...(env.net.pipeline?.masters.values() ?? [])].every((m) => m.log_position >= finalizedAt),
    `epoch ${epoch} finalized on every master`,
    600_000,
    2,
  );
  const tFinalAll = performance.now();
  const completed = ids.filter((id) => state.tasks[id]!.state === 'completed').length;
  if (sqlCostsWanted && !sqlCosts) sqlCosts = await statementCosts(env);
  const after_finalized = mem();
  const remote = [...(env.net.pipeline?.masters.values() ?? [])];
  const result: LifecycleRun = {
    tasks: n,
    threads,
    run,
    load_before,
    ingest_ms: r1(env.ingest.ms),
    admission_ms: r1(tAdmitted - t0),
    end_to_end_ms: r1(tDone - t0),
    tasks_per_s: r1(n / ((tDone - t0) / 1000)),
    cpu_ms_per_task: Math.round(((cpu.user + cpu.system) / 1000 / n) * 100) / 100,
    main_loop_busy: Math.round(elu * 100) / 100,
    main_thread_cpu_ms_per_task: Math.round((mainCpu / n) * 100) / 100,
    worker_thread_cpu_ms_per_task: env.net.pipeline ? Math.round((workerCpu / n) * 100) / 100 : undefined,
    worker_loop_busy: workerElu === undefined ? undefined : Math.round(workerElu * 100) / 100,
    latency_ms: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: Math.max(...latencies),
    },
    stage_p50_ms: Object.fromEntries([...stages].map(([s, xs]) => [s, median(xs)])),
    retried_503: retried503,
    http_admission_ms: {
      p50: r1(percentile(httpLatency, 50)),
      p95: r1(percentile(httpLatency, 95)),
      p99: r1(percentile(httpLatency, 99)),
    },
    not_settled: notSettled,
    suppressed_in_sample: suppressed,
    epoch_close_to_finalized_ms: r1(tFinal - tc),
    epoch_close_to_finalized_all_masters_ms: r1(tFinalAll - tc),
    completed,
    log_entries: (state.head?.seq ?? -1) + 1,
    append_conflicts:
      env.net.masters.reduce((s, m) => s + m.writer.conflicts, 0) + remote.reduce((s, m) => s + m.conflicts, 0),
    log_commits: env.net.masters.reduce((s, m) => s + m.writer.commits, 0) + remote.reduce((s, m) => s + m.commits, 0),
    log_appended:
      env.net.masters.reduce((s, m) => s + m.writer.appended, 0) + remote.reduce((s, m) => s + m.appended, 0),
    memory: { before, after_setup, after_lifecycle, after_finalized },
  };
  await closeEnv(env);
  return result;
}

// ---------------------------------------------------------------------------------------------
// b/c. Admission under autocannon, Symphony and the bare baseline.

/**
 * Forks the load client (bench/load-client.ts: its own process, so that the client's HTTP work
 * never shares the measured server's event loop) and waits until it is loaded; the function it
 * resolves to sends it one job and answers with its result.
 */
function forkLoadClient(): Promise<<R>(job: LoadJob | SubmitJob) => Promise<R>> {
  return new Promise((ready, failed) => {
    const child = fork(new URL('./load-client.ts', import.meta.url), [], {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    });
    let answer: (m: { ok: boolean; result?: unknown; error?: string }) => void = () => {};
    child.on('message', (m: { ready?: boolean; ok: boolean; result?: unknown; error?: string }) =>
      m.ready ? ready(send) : answer(m),
    );
    child.once('error', failed);
    child.once('exit', (code) => {
      if (code !== 0) answer({ ok: false, error: `load client exited with ${code}` });
    });
    const send = <R>(job: LoadJob | SubmitJob) =>
      new Promise<R>((resolve, reject) => {
        answer = (m) => (m.ok ? resolve(m.result as R) : reject(new Error(m.error)));
        child.send(job);
      });
  });
}

async function loadTest(job: LoadJob): Promise<LoadResult> {
  return (await forkLoadClient())<LoadResult>(job);
}

async function openBaseline(): Promise<{ store: PgliteStore; app: FastifyInstance; url: string }> {
  const store = await openTestPglite();
  await store.query('create table t (id bigserial primary key, body jsonb not null)');
  const app = Fastify({ logger: false });
  app.post('/v1/tasks', async (request, reply) => {
    const [row] = await store.query<{ id: bigint }>('insert into t (body) values ($1) returning id', [
      JSON.stringify(request.body),
    ]);
    return reply.code(201).send({ id: String(row!.id) });
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { store, app, url };
}

type AdmissionRow = LoadResult & {
  /** `symphony` (one thread), `symphony-2t` (pipeline in a worker thread) or `baseline`. */
  server: string;
  run: number;
  load_before: number[];
  memory: { before: Mem; after: Mem };
  drain?: { tasks: number; ms: number; not_settled: number };
};

/**
 * Waits until the network is quiet after a load run: requests the client abandoned at the end of
 * its window are still admitted by the server, so "drained" means no task is open and no new
 * task appeared for 500 ms. Reports the tasks the run admitted (warm-up, window and abandoned
 * requests) and how long carrying the rest to awaiting_settlement took after the window.
 */
async function drain(env: Env, tasksBefore: number): Promise<NonNullable<AdmissionRow['drain']>> {
  const state = env.net.coordinator.follower.state;
  const start = performance.now();
  let count = -1;
  let stableSince = performance.now();
  await waitUntil(
    () => {
      const tasks = Object.values(state.tasks);
      if (tasks.length !== count) {
        count = tasks.length;
        stableSince = performance.now();
      }
      return performance.now() - stableSince >= 500 && !tasks.some((t) => OPEN_STATES.has(t.state));
    },
    'admitted tasks drained',
    1_800_000,
    50,
  );
  const ms = performance.now() - start - 500;
  const notSettled = Object.values(state.tasks).filter((t) => t.state !== 'awaiting_settlement').length;
  return { tasks: count - tasksBefore, ms: r1(ms), not_settled: notSettled };
}

async function admissionRuns(): Promise<AdmissionRow[]> {
  const rows: AdmissionRow[] = [];
  const body = JSON.stringify(computeTask(1));
  for (let run = 1; run <= runs; run++) {
    const envs = new Map<string, Env>();
    for (const t of threadModes) envs.set(serverName(t), await openNetwork(t));
    const base = await openBaseline();
    for (const connections of connectionCounts) {
      for (const server of servers) {
        const env = envs.get(server)!;
        const before = mem();
        const load_before = load();
        const tasksBefore = env ? Object.keys(env.net.coordinator.follower.state.tasks).length : 0;
        const profiling =
          server !== 'baseline' && admissionProfilePath && run === 1 && connections === connectionCounts[0];
        const session = profiling ? await startProfile() : undefined;
        const result = await loadTest({
          url: server !== 'baseline' ? env.url : base.url,
          path: '/v1/tasks',
          body,
          connections,
          warmupSeconds,
          durationSeconds,
          keyPrefix: `adm-${run}-${connections}`,
          clients,
        });
        if (session) await stopProfile(session, admissionProfilePath!);
        const row: AdmissionRow = { ...result, server, run, load_before, memory: { before, after: mem() } };
        if (server !== 'baseline') row.drain = await drain(env, tasksBefore);
        rows.push(row);
        console.error(
          `  admission run ${run} ${server} c=${connections}: ${r1(result.requests_per_s)} req/s, p95 ${r1(result.p95_ms)} ms` +
            `, ${result.requests}/${result.sent} answered; admitted (2xx) ${r1(result.ok.requests_per_s)} req/s, p95 ${r1(result.ok.p95_ms)} ms; 503: ${result.unavailable}` +
            (row.drain ? `, run admitted ${row.drain.tasks} tasks, drained ${row.drain.ms} ms after the window` : ''),
        );
      }
    }
    for (const env of envs.values()) await closeEnv(env);
    await base.app.close();
    await base.store.close();
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Main.

const startedAt = new Date().toISOString();
/** The code measured: other work lands while benchmarks run, so every result names its commit. */
function codeVersion(): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: new URL('..', import.meta.url), encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain', '--', 'packages', 'spec') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes in packages/ or spec/' : ''}`;
  } catch {
    return 'unknown (no git)';
  }
}
const code = codeVersion();
function serverName(threads: number): string {
  return threads === 1 ? 'symphony' : `symphony-${threads}t`;
}
const servers = [...threadModes.map(serverName), 'baseline'];
const loadStart = load();
const lifecycle: LifecycleRun[] = [];
if (phases.has('lifecycle')) {
  for (let run = 1; run <= runs; run++) {
    for (const n of taskSizes)
      for (const threads of threadModes) {
        const r = await lifecycleRun(n, run, threads);
        lifecycle.push(r);
        console.error(
          `  lifecycle run ${run} N=${n} threads=${threads}: ${r.tasks_per_s} tasks/s, event loops busy ${r.main_loop_busy} main / ${r.worker_loop_busy ?? '-'} worker, CPU ms per task ${r.main_thread_cpu_ms_per_task} main thread / ${r.worker_thread_cpu_ms_per_task ?? '-'} worker thread, p95 ${r.latency_ms.p95} ms, finalized in ${r.epoch_close_to_finalized_ms} ms, ${r.cpu_ms_per_task} CPU ms per task, ${r.log_appended} entries in ${r.log_commits} commits, ${r.retried_503} admissions retried after a 503`,
        );
      }
  }
}
const admission = phases.has('admission') ? await admissionRuns() : [];
const loadEnd = load();

const med = (xs: number[]) => r1(median(xs));
const runsOf = (xs: number[]) => xs.map((x) => r1(x)).join(' / ');

console.log(`# Symphony lifecycle and admission benchmark\n`);
console.log(`code: ${code}`);
if (threadModes.includes(2)) console.log(`pipeline worker runs: ${pipelineSplit} (--pipeline-split)`);
console.log(
  `machine: ${machine()}; started ${startedAt}; load average ${loadStart.join(', ')} at start, ${loadEnd.join(', ')} at end`,
);
console.log(
  `data: ${recordCount} receipts over ${VAULTS.length} Vaults, ${subjectCount} subjects; median of ${runs} runs (per-run values after the median where shown)\n`,
);

if (lifecycle.length > 0) {
  console.log('## a. End-to-end lifecycle (HTTP admission -> awaiting_settlement), then epoch close -> finalized\n');
  console.log(
    '| tasks | threads | in flight | tasks/s (runs) | CPU ms per task | end to end s | latency p50 / p95 / p99 ms | HTTP admission p50 / p95 ms | epoch close -> finalized ms (all 3 masters) | completed | append conflicts | target >= 200 tasks/s |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|');
  for (const n of taskSizes)
    for (const t of threadModes) {
      const rs = lifecycle.filter((r) => r.tasks === n && r.threads === t);
      const tps = rs.map((r) => r.tasks_per_s);
      console.log(
        `| ${n} | ${t} | ${Math.min(concurrency, n)} | ${med(tps)} (${runsOf(tps)}) | ${med(rs.map((r) => r.cpu_ms_per_task))} | ${r1(median(rs.map((r) => r.end_to_end_ms)) / 1000)} | ${med(rs.map((r) => r.latency_ms.p50))} / ${med(rs.map((r) => r.latency_ms.p95))} / ${med(rs.map((r) => r.latency_ms.p99))} | ${med(rs.map((r) => r.http_admission_ms.p50))} / ${med(rs.map((r) => r.http_admission_ms.p95))} | ${med(rs.map((r) => r.epoch_close_to_finalized_ms))} (${med(rs.map((r) => r.epoch_close_to_finalized_all_masters_ms))}) | ${rs.map((r) => r.completed).join(' / ')} | ${med(rs.map((r) => r.append_conflicts))} | ${median(tps) >= 200 ? 'met' : 'not met'} |`,
      );
    }
  console.log('\nWhere a task waits (median per state, ms, log time: state entered -> next state):\n');
  const stageNames = ['accepted', 'resolving', 'dispatched', 'verifying'];
  console.log(`| tasks | threads | ${stageNames.join(' | ')} |`);
  console.log(`|---:|---:|${stageNames.map(() => '---:').join('|')}|`);
  for (const n of taskSizes)
    for (const t of threadModes) {
      const rs = lifecycle.filter((r) => r.tasks === n && r.threads === t);
      console.log(
        `| ${n} | ${t} | ${stageNames.map((s) => med(rs.map((r) => r.stage_p50_ms[s] ?? Number.NaN))).join(' | ')} |`,
      );
    }
  console.log();
}

if (admission.length > 0) {
  console.log(
    `## b/c. Admission (POST /v1/tasks, ${clients === 'autocannon' ? 'autocannon' : 'clients honouring Retry-After'} ${durationSeconds} s after ${warmupSeconds} s warm-up, fresh Idempotency-Key per request) vs bare fastify + 1 PGlite insert\n`,
  );
  console.log(
    '| connections | server | req/s (runs) | answered / sent in window (runs) | latency p50 / p95 / p99 ms | p95 ms (runs) | non-2xx | errors + timeouts | req/s vs baseline | p95 vs baseline | tasks the run admitted; drain ms after the window |',
  );
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const pv = (xs: number[]) => {
    const answered = xs.filter((x) => x >= 0);
    return answered.length === 0 ? Number.NaN : median(answered);
  };
  const show = (x: number) => (Number.isNaN(x) ? 'n/a' : String(r1(x)));
  for (const c of connectionCounts) {
    const base = admission.filter((r) => r.server === 'baseline' && r.connections === c);
    for (const server of servers) {
      const rs = admission.filter((r) => r.server === server && r.connections === c);
      if (rs.length === 0) continue;
      const rps = rs.map((r) => r.requests_per_s);
      const p95 = pv(rs.map((r) => r.p95_ms));
      const drained = rs.filter((r) => r.drain);
      console.log(
        `| ${c} | ${server} | ${med(rps)} (${runsOf(rps)}) | ${rs.map((r) => `${r.requests}/${r.sent}`).join(', ')} | ${show(pv(rs.map((r) => r.p50_ms)))} / ${show(p95)} / ${show(pv(rs.map((r) => r.p99_ms)))} | ${rs.map((r) => show(r.p95_ms < 0 ? Number.NaN : r.p95_ms)).join(' / ')} | ${rs.reduce((x, r) => x + r.non2xx, 0)} | ${rs.reduce((x, r) => x + r.errors + r.timeouts, 0)} | ${server === 'baseline' ? '1' : String(Math.round((median(rps) / median(base.map((r) => r.requests_per_s))) * 1000) / 1000)} | ${server === 'baseline' ? '1' : `${show(p95 / pv(base.map((r) => r.p95_ms)))}x`} | ${drained.length ? `${drained.map((r) => r.drain!.tasks).join(' / ')}; ${drained.map((r) => r.drain!.ms).join(' / ')}` : '-'} |`,
      );
    }
  }
  console.log(
    '\nThe answers that admitted a task (2xx) alone, and the 503 `unavailable` answers (pipeline backlog full, `Retry-After`) in the window:\n',
  );
  console.log(
    '| connections | server | admitted req/s (runs) | admitted in window (runs) | admitted p50 / p95 / p99 ms | admitted p95 ms (runs) | 503 in window (runs) | admitted p95 vs baseline p95 |',
  );
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const c of connectionCounts) {
    const base = admission.filter((r) => r.server === 'baseline' && r.connections === c);
    for (const server of servers) {
      const rs = admission.filter((r) => r.server === server && r.connections === c);
      if (rs.length === 0) continue;
      const rps = rs.map((r) => r.ok.requests_per_s);
      const p95 = pv(rs.map((r) => r.ok.p95_ms));
      console.log(
        `| ${c} | ${server} | ${med(rps)} (${runsOf(rps)}) | ${rs.map((r) => r.ok.requests).join(', ')} | ${show(pv(rs.map((r) => r.ok.p50_ms)))} / ${show(p95)} / ${show(pv(rs.map((r) => r.ok.p99_ms)))} | ${rs.map((r) => show(r.ok.p95_ms < 0 ? Number.NaN : r.ok.p95_ms)).join(' / ')} | ${rs.map((r) => r.unavailable).join(' / ')} | ${server === 'baseline' ? '1' : `${show(p95 / pv(base.map((r) => r.ok.p95_ms)))}x`} |`,
      );
    }
  }
  for (const server of servers.filter((x) => x !== 'baseline')) {
    const at16 = admission.filter((r) => r.server === server && r.connections === 16);
    const p95at16 = pv(at16.map((r) => r.p95_ms));
    const okP95at16 = pv(at16.map((r) => r.ok.p95_ms));
    if (connectionCounts.includes(16))
      console.log(
        `\ntarget admission p95 < 25 ms at 16 clients (${server}): ${show(p95at16)} ms over every answer, ${show(okP95at16)} ms over admissions (2xx); ${p95at16 < 25 && at16.every((r) => r.unavailable === 0) ? 'met' : 'not met'}`,
      );
  }
  console.log(
    '(latency percentiles are over the requests answered within the window; non-2xx and errors include the warm-up; non-2xx other than 503 and errors must be 0)\n',
  );
}

console.log('## d. Memory (MiB after a full GC, median over runs; rss keeps WASM memory of closed PGlite instances)\n');
console.log('| phase | rss before | rss after | heap used before | heap used after |');
console.log('|---|---:|---:|---:|---:|');
for (const n of taskSizes)
  for (const t of threadModes) {
    const rs = lifecycle.filter((r) => r.tasks === n && r.threads === t);
    if (rs.length === 0) continue;
    const m = (f: (r: LifecycleRun) => Mem, k: keyof Mem) => med(rs.map((r) => f(r)[k]));
    console.log(
      `| network open + ingest (N=${n} run, ${t} thread(s)) | ${m((r) => r.memory.before, 'rss_mib')} | ${m((r) => r.memory.after_setup, 'rss_mib')} | ${m((r) => r.memory.before, 'heap_used_mib')} | ${m((r) => r.memory.after_setup, 'heap_used_mib')} |`,
    );
    console.log(
      `| lifecycle N=${n}, ${t} thread(s) | ${m((r) => r.memory.after_setup, 'rss_mib')} | ${m((r) => r.memory.after_lifecycle, 'rss_mib')} | ${m((r) => r.memory.after_setup, 'heap_used_mib')} | ${m((r) => r.memory.after_lifecycle, 'heap_used_mib')} |`,
    );
    console.log(
      `| epoch close -> finalized N=${n}, ${t} thread(s) | ${m((r) => r.memory.after_lifecycle, 'rss_mib')} | ${m((r) => r.memory.after_finalized, 'rss_mib')} | ${m((r) => r.memory.after_lifecycle, 'heap_used_mib')} | ${m((r) => r.memory.after_finalized, 'heap_used_mib')} |`,
    );
  }
for (const c of connectionCounts) {
  for (const server of servers) {
    const rs = admission.filter((r) => r.server === server && r.connections === c);
    if (rs.length === 0) continue;
    console.log(
      `| admission ${server} c=${c} | ${med(rs.map((r) => r.memory.before.rss_mib))} | ${med(rs.map((r) => r.memory.after.rss_mib))} | ${med(rs.map((r) => r.memory.before.heap_used_mib))} | ${med(rs.map((r) => r.memory.after.heap_used_mib))} |`,
    );
  }
}
if (sqlStats) {
  console.log('\n## SQL statements (all networks of this run; wall ms includes waiting for PGlite)\n');
  console.log('| calls | rows | total ms | ms/call | statement |');
  console.log('|---:|---:|---:|---:|---|');
  for (const [sql, s] of [...sqlCalls].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(`| ${s.calls} | ${s.rows} | ${r1(s.ms)} | ${Math.round((s.ms / s.calls) * 100) / 100} | \`${sql}\` |`);
  }
}
if (sqlCosts) {
  console.log('\n## PGlite statement costs (idle network, one at a time)\n');
  console.log('| statement | ms per call | rows per call |');
  console.log('|---|---:|---:|');
  for (const c of sqlCosts) console.log(`| ${c.statement} | ${c.per_call_ms} | ${c.rows_per_call} |`);
}
if (errors.length > 0)
  console.log(
    `\nretried errors reported by the network (first ${errors.length}):\n${errors.map((e) => `- ${e}`).join('\n')}`,
  );

if (jsonPath) {
  writeFileSync(
    jsonPath,
    `${JSON.stringify({ machine: machine(), code, started_at: startedAt, load_start: loadStart, load_end: loadEnd, options: { taskSizes, runs, concurrency, connectionCounts, durationSeconds, warmupSeconds, recordCount, subjectCount }, lifecycle, admission, sql_costs: sqlCosts, errors }, null, 2)}\n`,
  );
}
