/** The oracle's PostgreSQL table: the union of every Vault's records, in its own database. */
import pg from 'pg';
import type { Flight } from './flights-fixture.ts';

export type OracleDb = { client: pg.Client; table: string; close(): Promise<void> };

export async function openOracleDb(url: string, flights: readonly Flight[], consented: (f: Flight) => boolean) {
  const dbName = `work_query_oracle_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
  await admin.query(`CREATE DATABASE ${dbName}`);
  const u = new URL(url);
  u.pathname = `/${dbName}`;
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  const table = 'flights_union';
  await client.query(`CREATE TABLE ${table} (
    subject text, origin text, destination text, month text,
    delay numeric, distance numeric, flown_at timestamptz, consented boolean)`);
  for (let i = 0; i < flights.length; i += 500) {
    const batch = flights.slice(i, i + 500);
    const params: unknown[] = [];
    const rows = batch.map((f) => {
      params.push(f.subject, f.origin, f.destination, f.month, f.delay, f.distance, f.flown_at, consented(f));
      const b = params.length - 8;
      return `(${Array.from({ length: 8 }, (_, j) => `$${b + j + 1}`).join(',')})`;
    });
    await client.query(`INSERT INTO ${table} VALUES ${rows.join(',')}`, params);
  }
  return {
    client,
    table,
    async close() {
      await client.end();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
      await admin.end();
    },
  } satisfies OracleDb;
}
