/**
 * Vault ingestion throughput: N receipt records written through the real bulk path (validated
 * against the domain, sealed with AES-256-GCM under a payload key derived from a fresh per-batch
 * data key, wrapped once by the Vault KEK, and the subject's key; salted commitment; staged in
 * batches of 1,000, committed in one transaction), in records/s and MB/s of input, beside two
 * baselines in the same run: plain bulk inserts of the same rows into a plain table of the same
 * store, no encryption, no commitment, no staging, (1) with the `json_to_recordset` insert
 * statement the sealed path used before it loaded with `COPY` ("json" baseline) and (2) with
 * `COPY ... FROM` the same way the sealed path now loads its rows ("copy" baseline, the fastest
 * plain bulk load; no duplicate rule, which `COPY` cannot have). Ratios are given against both.
 * Records are generated batch by batch, never held all at once; the JS
 * heap and RSS peaks are sampled after every batch. On a shared machine wall time follows the
 * load; the process CPU time per record (`process.cpuUsage`, all threads) is reported beside it.
 *
 *   npx tsx --expose-gc bench/vault-ingest.bench.ts [--sizes 10000,100000,1000000] [--json FILE]
 *   [--seal-here] (seal on the main thread instead of the sealing worker, for an A/B)
 *   [--no-copy] (the sealed path writes with its insert statement instead of COPY, for an A/B)
 *   [--warmup N] (records each path writes, untimed, before any is measured; default 2000, 0 for none)
 *   [--runs N] (rounds per size, each path once per round into a Vault of its own; figures are the
 *   medians over rounds and `ratio_pct_runs` lists every round's ratio; default 1)
 *   (`--expose-gc` adds the heap retained after a forced GC at the end of each sealed run)
 *
 * The store is PGlite on disk in a temporary folder (from the test template). RSS includes
 * PGlite's WASM memory, which holds its page cache; the JS heap is the ingestion path's own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { RecordInput } from '../packages/api/src/index.ts';
import { MemoryKeyring } from '../packages/node/src/adapters/memory-keyring.ts';
import { firstRecordProblem } from '../packages/node/src/data/validate-records.ts';
import { loadVaultMasterSecret } from '../packages/node/src/data/vault-crypto.ts';
import { contentRecordId, VaultRecords, vaultRecordMigrations } from '../packages/node/src/data/vault-records.ts';
import { COMMERCE_RECEIPT_V1 } from '../packages/node/src/semantic/starter-registry.ts';
import { openTestPglite } from '../packages/node/test/support/pglite.ts';
import { argValue, machine, median } from './bench-util.ts';

const sizes = (argValue('--sizes') ?? '10000,100000').split(',').map(Number);
const warmUp = Number(argValue('--warmup') ?? 2000);
const runs = Math.max(1, Number(argValue('--runs') ?? 1));
const BATCH = 1000;
const V = 'vlt_bench';
const MERCHANTS = ['Kopi Corner', 'Bean There', 'Daily Grind', 'Fresh Mart', 'Noodle House'];

function receipt(i: number): RecordInput {
  return {
    record_id: `rec_r${i}`,
    subject: `act_s${i % 5000}`,
    fields: {
      merchant: MERCHANTS[i % MERCHANTS.length]!,
      category: i % 3 ? 'coffee' : 'grocery',
      city: 'Singapore',
      total_amount: `${3 + (i % 40)}.${(i * 7) % 100}`.replace(/\.(\d)$/, '.$10'),
      purchased_at: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}T09:30:00Z`,
    },
  };
}

/** A value in PostgreSQL COPY text format. */
const copyText = (s: string) =>
  s.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n' })[c] ?? '\\r');

function* batches(n: number): Generator<RecordInput[]> {
  for (let i = 0; i < n; i += BATCH) yield Array.from({ length: Math.min(BATCH, n - i) }, (_, j) => receipt(i + j));
}

type Sample = { ms: number; cpuMs: number; bytes: number; peakHeapMb: number; peakRssMb: number };

const cpuMs = (since: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1000;
};

function memory(peak: { heap: number; rss: number }) {
  const m = process.memoryUsage();
  peak.heap = Math.max(peak.heap, m.heapUsed);
  peak.rss = Math.max(peak.rss, m.rss);
}

const rows: Record<string, number | string>[] = [];
for (const n of sizes) {
  const dir = mkdtempSync(join(tmpdir(), 'scs-vault-bench-'));
  const store = await openTestPglite({ dataDir: join(dir, 'pglite') });
  await store.migrate(vaultRecordMigrations('node_bench'));
  for (const table of ['plain_records', 'plain_copied'])
    await store.query(
      `create table node_bench.${table} (seq bigserial primary key, vault_id text not null, record_id text not null,
         subject text not null, fields jsonb not null, unique (vault_id, record_id))`,
    );
  const records = new VaultRecords(
    store,
    'node_bench',
    await loadVaultMasterSecret(new MemoryKeyring(), 'node-bench'),
    () => ({
      max_record_bytes: 16 * 1024,
      quota_per_subject: 1_000_000,
    }),
    { sealInWorker: !process.argv.includes('--seal-here'), copy: !process.argv.includes('--no-copy') },
  );

  // One phase: every batch of n records written one way into `vault`; returns its input bytes.
  const phases = {
    json: async (vault: string, count: number, peak: { heap: number; rss: number }) => {
      let bytes = 0;
      for (const batch of batches(count)) {
        const chunk = batch.map((r) => ({
          record_id: r.record_id ?? contentRecordId(r.subject, r.fields),
          subject: r.subject,
          fields: r.fields,
        }));
        const json = JSON.stringify(chunk);
        bytes += Buffer.byteLength(json);
        await store.transaction(async (tx) => {
          await tx.query(
            `insert into node_bench.plain_records (vault_id, record_id, subject, fields)
             select $1, record_id, subject, fields from json_to_recordset($2::json) as x(record_id text, subject text, fields jsonb)
             on conflict do nothing`,
            [vault, json],
          );
        });
        memory(peak);
      }
      return bytes;
    },
    copy: async (vault: string, count: number, peak: { heap: number; rss: number }) => {
      for (const batch of batches(count)) {
        // One COPY text line per row: tab-separated, the fields as JSON with COPY's escapes.
        const text = batch
          .map((r) => {
            const id = r.record_id ?? contentRecordId(r.subject, r.fields);
            return `${copyText(vault)}\t${copyText(id)}\t${copyText(r.subject)}\t${copyText(JSON.stringify(r.fields))}\n`;
          })
          .join('');
        await store.transaction(async (tx) => {
          await tx.copyFrom!(
            'node_bench.plain_copied',
            ['vault_id', 'record_id', 'subject', 'fields'],
            Buffer.from(text),
            'text',
          );
        });
        memory(peak);
      }
      return 0;
    },
    sealed: async (vault: string, count: number, peak: { heap: number; rss: number }) => {
      const upload = `upl_${vault}`;
      await records.beginUpload(vault, upload);
      for (const batch of batches(count)) {
        if (firstRecordProblem(COMMERCE_RECEIPT_V1, batch)) throw new Error('bench records must be valid');
        await records.stageBatch(upload, batch);
        memory(peak);
      }
      const done = await records.commitUpload(upload);
      if (done.accepted !== count) throw new Error(`expected ${count} accepted, got ${done.accepted}`);
      memory(peak);
      return 0;
    },
  };
  // Untimed, every path once on its own Vault: PGlite, the JIT and the sealing worker are warm
  // before any path is measured, so the order of the phases does not favour any of them.
  if (warmUp > 0) for (const phase of Object.values(phases)) await phase('vlt_warmup', warmUp, { heap: 0, rss: 0 });

  const measure = async (phase: keyof typeof phases, vault: string): Promise<Sample> => {
    global.gc?.();
    const peak = { heap: 0, rss: 0 };
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const bytes = await phases[phase](vault, n, peak);
    const sample = { ms: performance.now() - t0, cpuMs: cpuMs(c0), bytes, peakHeapMb: 0, peakRssMb: 0 };
    return { ...sample, peakHeapMb: peak.heap / 2 ** 20, peakRssMb: peak.rss / 2 ** 20 };
  };
  const rounds: { json: Sample; copy: Sample; sealed: Sample }[] = [];
  for (let run = 0; run < runs; run++) {
    const vault = runs === 1 ? V : `${V}${run}`;
    rounds.push({
      json: await measure('json', vault),
      copy: await measure('copy', vault),
      sealed: await measure('sealed', vault),
    });
  }
  /** The median sample of a path over the rounds (each field's median; peaks are the largest). */
  const mid = (path: 'json' | 'copy' | 'sealed'): Sample => ({
    ms: median(rounds.map((r) => r[path].ms)),
    cpuMs: median(rounds.map((r) => r[path].cpuMs)),
    bytes: rounds[0]![path].bytes,
    peakHeapMb: Math.max(...rounds.map((r) => r[path].peakHeapMb)),
    peakRssMb: Math.max(...rounds.map((r) => r[path].peakRssMb)),
  });
  const baseline = mid('json');
  const copyBaseline = mid('copy');
  const sealed = mid('sealed');
  const bytes = baseline.bytes;
  global.gc?.();
  const retainedHeapMb = process.memoryUsage().heapUsed / 2 ** 20;

  const row = {
    records: n,
    input_mb: +(bytes / 1e6).toFixed(1),
    baseline_rec_s: Math.round(n / (baseline.ms / 1000)),
    baseline_mb_s: +(bytes / 1e6 / (baseline.ms / 1000)).toFixed(2),
    copy_baseline_rec_s: Math.round(n / (copyBaseline.ms / 1000)),
    copy_baseline_mb_s: +(bytes / 1e6 / (copyBaseline.ms / 1000)).toFixed(2),
    sealed_rec_s: Math.round(n / (sealed.ms / 1000)),
    sealed_mb_s: +(bytes / 1e6 / (sealed.ms / 1000)).toFixed(2),
    ratio_pct: Math.round(median(rounds.map((r) => r.json.ms / r.sealed.ms)) * 100),
    ratio_pct_runs: rounds.map((r) => Math.round((r.json.ms / r.sealed.ms) * 100)).join('/'),
    copy_ratio_pct: Math.round(median(rounds.map((r) => r.copy.ms / r.sealed.ms)) * 100),
    baseline_cpu_us_rec: +((baseline.cpuMs * 1000) / n).toFixed(1),
    copy_baseline_cpu_us_rec: +((copyBaseline.cpuMs * 1000) / n).toFixed(1),
    sealed_cpu_us_rec: +((sealed.cpuMs * 1000) / n).toFixed(1),
    cpu_ratio_pct: Math.round((baseline.cpuMs / sealed.cpuMs) * 100),
    copy_cpu_ratio_pct: Math.round((copyBaseline.cpuMs / sealed.cpuMs) * 100),
    baseline_peak_heap_mb: Math.round(Math.max(baseline.peakHeapMb, copyBaseline.peakHeapMb)),
    sealed_peak_heap_mb: Math.round(sealed.peakHeapMb),
    baseline_peak_rss_mb: Math.round(Math.max(baseline.peakRssMb, copyBaseline.peakRssMb)),
    sealed_peak_rss_mb: Math.round(sealed.peakRssMb),
    sealed_heap_after_gc_mb: Math.round(retainedHeapMb),
  };
  rows.push(row);
  console.error(JSON.stringify(row));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\nVault ingestion, ${machine()}\n`);
const cols = Object.keys(rows[0] ?? {});
console.log(`| ${cols.join(' | ')} |`);
console.log(`| ${cols.map(() => '---').join(' | ')} |`);
for (const r of rows) console.log(`| ${cols.map((c) => r[c]).join(' | ')} |`);
const out = argValue('--json');
if (out) writeFileSync(out, `${JSON.stringify({ machine: machine(), rows }, null, 2)}\n`);
