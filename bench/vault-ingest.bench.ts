/**
 * Vault ingestion throughput: N receipt records written through the real bulk path (validated
 * against the domain, sealed with AES-256-GCM under a payload key derived from a fresh per-batch
 * data key, wrapped once by the Vault KEK, and the subject's key; salted commitment; staged in
 * batches of 1,000, committed in one transaction), in records/s and MB/s of input, beside a
 * baseline in the same run: plain bulk inserts of the same rows (same batches, same
 * `json_to_recordset` statement shape) into a plain table of the same store, no encryption, no
 * commitment, no staging. Records are generated batch by batch, never held all at once; the JS
 * heap and RSS peaks are sampled after every batch. On a shared machine wall time follows the
 * load; the process CPU time per record (`process.cpuUsage`, all threads) is reported beside it.
 *
 *   npx tsx --expose-gc bench/vault-ingest.bench.ts [--sizes 10000,100000,1000000] [--json FILE]
 *   [--seal-here] (seal on the main thread instead of the sealing worker, for an A/B)
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
import { argValue, machine } from './bench-util.ts';

const sizes = (argValue('--sizes') ?? '10000,100000').split(',').map(Number);
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

const rows: Record<string, number>[] = [];
for (const n of sizes) {
  const dir = mkdtempSync(join(tmpdir(), 'scs-vault-bench-'));
  const store = await openTestPglite({ dataDir: join(dir, 'pglite') });
  await store.migrate(vaultRecordMigrations('node_bench'));
  await store.query(
    `create table node_bench.plain_records (seq bigserial primary key, vault_id text not null, record_id text not null,
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
    { sealInWorker: !process.argv.includes('--seal-here') },
  );

  global.gc?.();
  const basePeak = { heap: 0, rss: 0 };
  let c0 = process.cpuUsage();
  let t0 = performance.now();
  let bytes = 0;
  for (const batch of batches(n)) {
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
        [V, json],
      );
    });
    memory(basePeak);
  }
  const baseline: Sample = {
    ms: performance.now() - t0,
    cpuMs: cpuMs(c0),
    bytes,
    peakHeapMb: basePeak.heap / 2 ** 20,
    peakRssMb: basePeak.rss / 2 ** 20,
  };

  global.gc?.();
  const peak = { heap: 0, rss: 0 };
  c0 = process.cpuUsage();
  t0 = performance.now();
  await records.beginUpload(V, 'upl_bench');
  for (const batch of batches(n)) {
    if (firstRecordProblem(COMMERCE_RECEIPT_V1, batch)) throw new Error('bench records must be valid');
    await records.stageBatch('upl_bench', batch);
    memory(peak);
  }
  const done = await records.commitUpload('upl_bench');
  const sealedMs = performance.now() - t0;
  const sealedCpuMs = cpuMs(c0);
  memory(peak);
  global.gc?.();
  const retainedHeapMb = process.memoryUsage().heapUsed / 2 ** 20;
  if (done.accepted !== n) throw new Error(`expected ${n} accepted, got ${done.accepted}`);
  const sealed: Sample = {
    ms: sealedMs,
    cpuMs: sealedCpuMs,
    bytes,
    peakHeapMb: peak.heap / 2 ** 20,
    peakRssMb: peak.rss / 2 ** 20,
  };

  const row = {
    records: n,
    input_mb: +(bytes / 1e6).toFixed(1),
    baseline_rec_s: Math.round(n / (baseline.ms / 1000)),
    baseline_mb_s: +(bytes / 1e6 / (baseline.ms / 1000)).toFixed(2),
    sealed_rec_s: Math.round(n / (sealed.ms / 1000)),
    sealed_mb_s: +(bytes / 1e6 / (sealed.ms / 1000)).toFixed(2),
    ratio_pct: Math.round((baseline.ms / sealed.ms) * 100),
    baseline_cpu_us_rec: +((baseline.cpuMs * 1000) / n).toFixed(1),
    sealed_cpu_us_rec: +((sealed.cpuMs * 1000) / n).toFixed(1),
    cpu_ratio_pct: Math.round((baseline.cpuMs / sealed.cpuMs) * 100),
    baseline_peak_heap_mb: Math.round(baseline.peakHeapMb),
    sealed_peak_heap_mb: Math.round(sealed.peakHeapMb),
    baseline_peak_rss_mb: Math.round(baseline.peakRssMb),
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
