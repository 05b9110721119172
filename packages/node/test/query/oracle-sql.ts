/**
 * The oracle: the same aggregate as plain SQL over the union of all Vaults' records in one
 * PostgreSQL table, with the policy's contribution bounds written out (a subject's first
 * `max_groups` groups in key order, its per-group total clamped).
 */
import type { Condition } from '@symphony/protocol';
import type pg from 'pg';

export type OracleQuery = {
  filter: Condition[];
  group_by: ('origin' | 'destination' | 'month')[];
  /** Clamp of the per-subject delay total, fixed point (x100). */
  delay: { lower: number; upper: number };
  /** Clamp of the per-subject distance total, fixed point (x100). */
  distance: { lower: number; upper: number };
  /** The quantile of the per-subject delay totals (clamped as `delay`) the query asks for. */
  delay_q: string;
};

export type OracleGroup = { key: string; subjects: number; delay_sum: number; distance_sum: number };

const NUMERIC = new Set(['delay', 'distance']);

function conditionSql(c: Condition, params: unknown[]): string {
  const col = c.attribute === 'flown_at' ? 'flown_at' : c.attribute;
  const cast = (v: unknown) => {
    params.push(v);
    const p = `$${params.length}`;
    return NUMERIC.has(col) ? `${p}::numeric` : col === 'flown_at' ? `${p}::timestamptz` : `${p}::text`;
  };
  const values = Array.isArray(c.value) ? c.value : [c.value];
  switch (c.op) {
    case 'eq':
      return `${col} = ${cast(values[0])}`;
    case 'ne':
      return `${col} <> ${cast(values[0])}`;
    case 'in':
      return `(${values.map((v) => `${col} = ${cast(v)}`).join(' OR ')})`;
    case 'gte':
      return `${col} >= ${cast(values[0])}`;
    case 'lte':
      return `${col} <= ${cast(values[0])}`;
    case 'between':
      return `${col} BETWEEN ${cast(values[0])} AND ${cast(values[1])}`;
    default:
      throw new Error(`oracle does not translate ${c.op}`);
  }
}

export async function oracle(
  client: pg.Client,
  table: string,
  q: OracleQuery,
  maxGroups: number,
): Promise<OracleGroup[]> {
  const params: unknown[] = [];
  const where = ['consented', ...q.filter.map((c) => conditionSql(c, params))].join(' AND ');
  const g = q.group_by;
  // The key exactly as JSON.stringify writes an array of strings.
  const key = g.length === 0 ? `'[]'` : `'[' || ${g.map((c) => `to_json(${c})::text`).join(` || ',' || `)} || ']'`;
  const groupCols = g.length === 0 ? '' : `${g.join(', ')}, `;
  const sql = `
    WITH per AS (
      SELECT ${groupCols} subject, sum(delay) * 100 AS d, sum(distance) * 100 AS s
      FROM ${table} WHERE ${where} GROUP BY ${groupCols} subject
    ), keyed AS (
      SELECT (${key}) COLLATE "C" AS k, subject, d, s FROM per
    ), ranked AS (
      SELECT k, subject, d, s, row_number() OVER (PARTITION BY subject ORDER BY k COLLATE "C") AS rn FROM keyed
    )
    SELECT k, count(*)::int AS subjects,
      sum(least(greatest(d, ${q.delay.lower}), ${q.delay.upper}))::bigint AS delay_sum,
      sum(least(greatest(s, ${q.distance.lower}), ${q.distance.upper}))::bigint AS distance_sum
    FROM ranked WHERE rn <= ${maxGroups} GROUP BY k ORDER BY k COLLATE "C"`;
  const res = await client.query(sql, params);
  return res.rows.map((r) => ({
    key: r.k as string,
    subjects: r.subjects as number,
    delay_sum: Number(r.delay_sum),
    distance_sum: Number(r.distance_sum),
  }));
}

/** Per group: the subject count, PostgreSQL's `percentile_disc(q)` and the values at ranks k ± R. */
export type OracleQuantile = { key: string; n: number; exact: number; at_low: number; at_high: number };

/**
 * The quantile oracle: `percentile_disc` over the same clamped per-subject delay totals (fixed
 * point, after the contribution bound), at q and at the ranks k − R and k + R around its rank
 * k = max(1, ceil(q·n)) (a rank below 1 reads the lower clamp, above n the upper clamp).
 */
export async function oracleQuantiles(
  client: pg.Client,
  table: string,
  q: OracleQuery,
  maxGroups: number,
  quantile: { q: string; rank_bound: number },
): Promise<OracleQuantile[]> {
  const params: unknown[] = [];
  const where = ['consented', ...q.filter.map((c) => conditionSql(c, params))].join(' AND ');
  const g = q.group_by;
  const key = g.length === 0 ? `'[]'` : `'[' || ${g.map((c) => `to_json(${c})::text`).join(` || ',' || `)} || ']'`;
  const groupCols = g.length === 0 ? '' : `${g.join(', ')}, `;
  params.push(quantile.q, quantile.rank_bound);
  const qp = `$${params.length - 1}::numeric`;
  const rp = `$${params.length}::int`;
  const { lower, upper } = q.delay;
  const sql = `
    WITH per AS (
      SELECT ${groupCols} subject, sum(delay) * 100 AS d FROM ${table} WHERE ${where} GROUP BY ${groupCols} subject
    ), keyed AS (
      SELECT (${key}) COLLATE "C" AS k, subject, d FROM per
    ), ranked AS (
      SELECT k, d, row_number() OVER (PARTITION BY subject ORDER BY k COLLATE "C") AS rn FROM keyed
    ), bounded AS (
      SELECT k, least(greatest(d, ${lower}), ${upper}) AS dc, count(*) OVER (PARTITION BY k) AS n
      FROM ranked WHERE rn <= ${maxGroups}
    ), ranks AS (
      SELECT k, n, dc, greatest(1, ceil(${qp} * n))::int AS kr FROM bounded
    )
    SELECT k, n::int AS n,
      percentile_disc(${qp}::float8) WITHIN GROUP (ORDER BY dc) AS exact,
      CASE WHEN kr - ${rp} < 1 THEN ${lower}
        ELSE percentile_disc(greatest(0, least(1, ((kr - ${rp}) - 0.5) / n))) WITHIN GROUP (ORDER BY dc) END AS at_low,
      CASE WHEN kr + ${rp} > n THEN ${upper}
        ELSE percentile_disc(greatest(0, least(1, ((kr + ${rp}) - 0.5) / n))) WITHIN GROUP (ORDER BY dc) END AS at_high
    FROM ranks GROUP BY k, n, kr ORDER BY k COLLATE "C"`;
  const res = await client.query(sql, params);
  return res.rows.map((r) => ({
    key: r.k as string,
    n: r.n as number,
    exact: Number(r.exact),
    at_low: Number(r.at_low),
    at_high: Number(r.at_high),
  }));
}
