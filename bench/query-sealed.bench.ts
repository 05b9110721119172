/**
 * Query latency through the real path, from sealed Vault records: the records are ingested sealed
 * (one AES-256-GCM data key per record, wrapped by the Vault KEK, salted commitment) into
 * PostgreSQL through `VaultRecords`; each query then runs, per Vault, the materializer
 * (`materializeRecords`: snapshot of the sealed rows, unwrap and decrypt, derivation of the
 * resolved attributes, admissibility per subject, records root), the Vault partial (filter, group,
 * keyed pseudonyms), sealing to the aggregator (X25519 + AES-256-GCM), and the aggregator's open,
 * combine, contribution bounding, suppression and discrete Laplace noise. Beside it, in the same
 * run, the same aggregate as one plain SQL statement over a plain table on the same PostgreSQL.
 *
 * `cold`: a fresh `VaultRecords` per run (nothing decrypted in memory: every record is read from
 * PostgreSQL and decrypted); `warm`: the node's snapshot memory as a long-running node keeps it
 * (every later query of the same snapshot); `next`: the first query after each Vault took a new
 * upload of 0.1% more records (a new snapshot: only the new uploads are decrypted). `parallel`: the slowest Vault plus the aggregator (one
 * core per Vault node). The consent predicate admits every subject (the consent bench measures
 * consent); the log round trips of the lifecycle are not included (the lifecycle bench).
 *
 *   DATABASE_URL=postgres://... npx tsx --expose-gc bench/query-sealed.bench.ts [--sizes 100000,1000000] [--vaults 5,20] [--runs 5] [--cold-runs 2]
 */
import { loadavg } from 'node:os';
import pg from 'pg';
import { MemoryKeyring } from '../packages/node/src/adapters/memory-keyring.ts';
import { PostgresStore } from '../packages/node/src/adapters/postgres-store.ts';
import { materializeRecords } from '../packages/node/src/data/materialize-records.ts';
import { loadVaultMasterSecret } from '../packages/node/src/data/vault-crypto.ts';
import { VaultRecords, vaultRecordMigrations } from '../packages/node/src/data/vault-records.ts';
import { aggregatorKeyPair, openPartial, sealPartial } from '../packages/node/src/execution/query/partial-sealing.ts';
import { computeVaultPartial } from '../packages/node/src/execution/query/vault-partial.ts';
import { combinePartials, type PartialAggregate, releaseQuery } from '../packages/protocol/src/index.ts';
import { argValue, machine, percentile } from './bench-util.ts';
import { forgetPseudonyms, plan, pseudonymOf, spec, subjectsOf } from './query-workload.ts';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('set DATABASE_URL');
const sizes = (argValue('--sizes') ?? '100000,1000000').split(',').map(Number);
const vaultCounts = (argValue('--vaults') ?? '5,20').split(',').map(Number);
const runs = Number(argValue('--runs') ?? '5');
/** Cold queries beside the node's first one (each on a fresh node). */
const coldRuns = Number(argValue('--cold-runs') ?? '2');
const BATCH = 5000;

const attributes = [
  { attribute: 'g', derivation: 'g' },
  { attribute: 'amount', derivation: 'amount' },
];

/** Record i: the same formulas as the SQL table below. */
const record = (i: number, n: number) => ({
  record_id: `rec_${i}`,
  subject: `act_s${i % subjectsOf(n)}`,
  fields: { g: (i * 7) % 50, amount: (((i * 37) % 10000) / 100).toFixed(2) },
});

const admin = new pg.Client({ connectionString: url });
await admin.connect();
const dbName = `work_query_sealed_bench_${process.pid}`;
await admin.query(`CREATE DATABASE ${dbName}`);
const u = new URL(url);
u.pathname = `/${dbName}`;
const store = await PostgresStore.open({ connectionString: u.toString() });
const master = await loadVaultMasterSecret(new MemoryKeyring(), 'node-bench');
const limits = () => ({ max_record_bytes: 16 * 1024, quota_per_subject: 10_000_000 });
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
console.log(`# sealed query bench on ${machine()}, load ${load()} at start`);
const results = [];

async function ingest(records: VaultRecords, n: number, V: number): Promise<number> {
  const t0 = performance.now();
  for (let v = 0; v < V; v++) {
    const vault_id = `vlt_b${v}`;
    await records.beginUpload(vault_id, `upl_b${v}`);
    let batch = [];
    for (let i = v; i < n; i += V) {
      batch.push(record(i, n));
      if (batch.length === BATCH) {
        await records.stageBatch(`upl_b${v}`, batch);
        batch = [];
      }
    }
    if (batch.length > 0) await records.stageBatch(`upl_b${v}`, batch);
    await records.commitUpload(`upl_b${v}`);
  }
  return performance.now() - t0;
}

/** One query through the real path; returns total and parallel ms and the groups released. */
async function runQuery(records: VaultRecords, V: number, seed: string) {
  forgetPseudonyms();
  const keys = aggregatorKeyPair();
  const t0 = performance.now();
  const perVault: number[] = [];
  let materializeMs = 0;
  const sealed = [];
  for (let v = 0; v < V; v++) {
    const vault_id = `vlt_b${v}`;
    const s = performance.now();
    const m = await materializeRecords(records, {
      vault_id,
      as_of_seq: await records.head(vault_id),
      as_of_ms: 0,
      attributes,
      admissible: () => true,
    });
    materializeMs += performance.now() - s;
    const partial = computeVaultPartial(vault_id, m.rows, spec.filter, plan, 0, pseudonymOf);
    sealed.push(sealPartial(partial, { aggregator_key: keys.public_key, task_id: 'tsk_bench', attempt: 1, vault_id }));
    perVault.push(performance.now() - s);
  }
  const a = performance.now();
  const partials = sealed.map((s) => openPartial(s, keys.private_key, 'tsk_bench', 1) as PartialAggregate);
  const out = releaseQuery(plan, combinePartials(partials, plan.summed.length), seed);
  const end = performance.now();
  return {
    total: end - t0,
    parallel: Math.max(...perVault) + (end - a),
    materialize: materializeMs,
    released: out.result.rows.length,
  };
}

const p = (xs: number[], q: number) => +percentile(xs, q).toFixed(0);
/** Heap in use after a forced GC (run with --expose-gc), MB. */
const heapMb = () => {
  global.gc?.();
  return Math.round(process.memoryUsage().heapUsed / 2 ** 20);
};

try {
  for (const n of sizes) {
    await store.query('DROP TABLE IF EXISTS bench_records');
    await store.query(
      `CREATE TABLE bench_records AS SELECT 'act_s' || (i % ${subjectsOf(n)}) AS subject, (i * 7) % 50 AS g,
         ((i::bigint * 37) % 10000) / 100.0 AS amount FROM generate_series(0, ${n - 1}) AS i`,
    );
    await store.query('ANALYZE bench_records');
    const sql = async () => {
      const t0 = performance.now();
      await store.query(`SELECT g, count(*) AS subjects, sum(least(greatest(t, 0), 200)) AS total
        FROM (SELECT g, subject, sum(amount) AS t FROM bench_records WHERE amount BETWEEN 1 AND 90
              GROUP BY g, subject) per GROUP BY g`);
      return performance.now() - t0;
    };
    await sql();
    for (const V of vaultCounts) {
      const schema = `qb_${n}_${V}`;
      await store.migrate(vaultRecordMigrations(schema));
      const ingestMs = await ingest(new VaultRecords(store, schema, master, limits), n, V);
      console.log(
        `# ${n} records over ${V} Vaults ingested sealed in ${(ingestMs / 1000).toFixed(1)} s, load ${load()}`,
      );
      const cold = { total: [] as number[], parallel: [] as number[], materialize: [] as number[] };
      const warm = { total: [] as number[], parallel: [] as number[], materialize: [] as number[] };
      const sqlMs: number[] = [];
      let released = 0;
      // The long-running node keeps the decrypted snapshots of this size, and room for the next
      // ones while the earlier stay for pinned re-executions (heap reported below).
      const node = new VaultRecords(store, schema, master, limits, { snapshotCacheRows: 2 * n });
      const heapBefore = heapMb();
      // Its first query decrypts every record: it is the first cold sample.
      const first = await runQuery(node, V, 'first');
      cold.total.push(first.total);
      cold.parallel.push(first.parallel);
      cold.materialize.push(first.materialize);
      // Cold, warm and SQL interleaved, so the three see the same load.
      for (let r = 0; r < runs; r++) {
        if (r < coldRuns) {
          const c = await runQuery(new VaultRecords(store, schema, master, limits), V, `cold-${r}`);
          cold.total.push(c.total);
          cold.parallel.push(c.parallel);
          cold.materialize.push(c.materialize);
        }
        const w = await runQuery(node, V, `warm-${r}`);
        warm.total.push(w.total);
        warm.parallel.push(w.parallel);
        warm.materialize.push(w.materialize);
        released = w.released;
        sqlMs.push(await sql());
      }
      const cacheHeapMb = heapMb() - heapBefore;
      // A new snapshot: each Vault takes an upload of 0.1% more records, then the query runs on the
      // new head (only the new uploads are decrypted). The SQL table keeps n rows (0.1-0.5% fewer).
      const next = { total: [] as number[], materialize: [] as number[] };
      for (let r = 0; r < runs; r++) {
        const extra = Math.max(1, Math.floor(n / 1000 / V));
        for (let v = 0; v < V; v++) {
          await node.beginUpload(`vlt_b${v}`, `upl_n${r}_${v}`);
          await node.stageBatch(
            `upl_n${r}_${v}`,
            Array.from({ length: extra }, (_, j) => ({
              ...record(n + (r * V + v) * extra + j, n),
              record_id: `rec_n${r}_${v}_${j}`,
            })),
          );
          await node.commitUpload(`upl_n${r}_${v}`);
        }
        const q = await runQuery(node, V, `next-${r}`);
        next.total.push(q.total);
        next.materialize.push(q.materialize);
      }
      const sqlP50 = percentile(sqlMs, 50);
      const res = {
        records: n,
        vaults: V,
        groups: released,
        cold_p50: p(cold.total, 50),
        cold_p95: p(cold.total, 95),
        cold_par_p50: p(cold.parallel, 50),
        cold_mat_p50: p(cold.materialize, 50),
        warm_p50: p(warm.total, 50),
        warm_p95: p(warm.total, 95),
        warm_par_p50: p(warm.parallel, 50),
        warm_mat_p50: p(warm.materialize, 50),
        next_p50: p(next.total, 50),
        next_p95: p(next.total, 95),
        next_mat_p50: p(next.materialize, 50),
        sql_p50: +sqlP50.toFixed(0),
        sql_p95: p(sqlMs, 95),
        cold_x_sql: +(percentile(cold.total, 50) / sqlP50).toFixed(2),
        warm_x_sql: +(percentile(warm.total, 50) / sqlP50).toFixed(2),
        next_x_sql: +(percentile(next.total, 50) / sqlP50).toFixed(2),
        cache_heap_mb: cacheHeapMb,
        load: load(),
      };
      results.push(res);
      console.log(JSON.stringify(res));
      await store.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  }
} finally {
  await store.close();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
  await admin.end();
}
console.log(`# load ${load()} at end`);
console.table(results);
