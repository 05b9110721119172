/**
 * Query latency: one grouped aggregate (distinct-subject count, clamped sum, clamped mean, a range
 * filter) over 10^5 and 10^6 records split across 5 and 20 Vaults, through the query path of the
 * enclaves: each Vault's partial over its materialized rows (filter, group, keyed pseudonyms),
 * sealed to the aggregator (X25519 + AES-256-GCM), opened, combined by pseudonym, contribution
 * bounded, suppressed and noised (exact discrete Laplace). Beside it, in the same run, the same
 * aggregate as plain SQL on one PostgreSQL (the no-privacy limit).
 *
 * Not included: decrypting records out of the Vaults (the materializer, measured by the vault and
 * consent benches) and the log round trips of the lifecycle. Vault partials run one after another
 * here; on a network each runs on its own node, so the `parallel` column (slowest Vault + the
 * aggregator) is the figure a network would see with one core per Vault node.
 *
 *   DATABASE_URL=postgres://... npx tsx bench/query.bench.ts [--sizes 100000,1000000] [--vaults 5,20] [--runs 5]
 */
import { loadavg } from 'node:os';
import pg from 'pg';
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

/** Record i: the same formulas as the SQL table below. */
const row = (i: number, n: number) => ({
  subject: `s${i % subjectsOf(n)}`,
  // Decimals travel as strings, as a Vault stores them.
  fields: { g: (i * 7) % 50, amount: (((i * 37) % 10000) / 100).toFixed(2) },
});

const admin = new pg.Client({ connectionString: url });
await admin.connect();
const dbName = `work_query_bench_${process.pid}`;
await admin.query(`CREATE DATABASE ${dbName}`);
const u = new URL(url);
u.pathname = `/${dbName}`;
const db = new pg.Client({ connectionString: u.toString() });
await db.connect();
const load = () => loadavg()[0]!.toFixed(1);
console.log(`# query bench on ${machine()}, load ${load()} at start`);
const results = [];
try {
  for (const n of sizes) {
    await db.query('DROP TABLE IF EXISTS bench_records');
    await db.query(
      `CREATE TABLE bench_records AS SELECT 's' || (i % ${subjectsOf(n)}) AS subject, (i * 7) % 50 AS g,
         ((i::bigint * 37) % 10000) / 100.0 AS amount FROM generate_series(0, ${n - 1}) AS i`,
    );
    await db.query('ANALYZE bench_records');
    const sqlMs: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      await db.query(`SELECT g, count(*) AS subjects, sum(least(greatest(t, 0), 200)) AS total
        FROM (SELECT g, subject, sum(amount) AS t FROM bench_records WHERE amount BETWEEN 1 AND 90
              GROUP BY g, subject) per GROUP BY g`);
      sqlMs.push(performance.now() - t0);
    }
    const all = Array.from({ length: n }, (_, i) => row(i, n));
    for (const V of vaultCounts) {
      const vaults = Array.from({ length: V }, (_, v) => all.filter((_, i) => i % V === v));
      const totalMs: number[] = [];
      const parallelMs: number[] = [];
      let released = 0;
      for (let r = 0; r < runs; r++) {
        forgetPseudonyms();
        const keys = aggregatorKeyPair();
        const t0 = performance.now();
        const perVault: number[] = [];
        const sealed = vaults.map((rows, v) => {
          const s = performance.now();
          const partial = computeVaultPartial(`vlt_b${v}`, rows, spec.filter, plan, 0, pseudonymOf);
          const box = sealPartial(partial, {
            aggregator_key: keys.public_key,
            task_id: 'tsk_bench',
            attempt: 1,
            vault_id: `vlt_b${v}`,
          });
          perVault.push(performance.now() - s);
          return box;
        });
        const a = performance.now();
        const partials = sealed.map((s) => openPartial(s, keys.private_key, 'tsk_bench', 1) as PartialAggregate);
        const out = releaseQuery(plan, combinePartials(partials, plan.summed.length), `seed-${r}`);
        const end = performance.now();
        released = out.result.rows.length;
        totalMs.push(end - t0);
        parallelMs.push(Math.max(...perVault) + (end - a));
      }
      const sqlP50 = percentile(sqlMs, 50);
      const res = {
        records: n,
        vaults: V,
        groups_released: released,
        query_p50_ms: +percentile(totalMs, 50).toFixed(0),
        query_p95_ms: +percentile(totalMs, 95).toFixed(0),
        parallel_p50_ms: +percentile(parallelMs, 50).toFixed(0),
        parallel_p95_ms: +percentile(parallelMs, 95).toFixed(0),
        sql_p50_ms: +sqlP50.toFixed(0),
        sql_p95_ms: +percentile(sqlMs, 95).toFixed(0),
        ratio_p50: +(percentile(totalMs, 50) / sqlP50).toFixed(2),
        ratio_parallel_p50: +(percentile(parallelMs, 50) / sqlP50).toFixed(2),
      };
      results.push(res);
      console.log(JSON.stringify(res));
    }
  }
} finally {
  await db.end();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
  await admin.end();
}
console.log(`# load ${load()} at end`);
console.table(results);
