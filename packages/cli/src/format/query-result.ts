/** A released query result as a table: one row per released group, each value with its 99% bound. */
import { renderTable, type TableColumn } from './table.ts';

type Value = { fn: string; attribute?: string; value: number | string; bound99: number | string };
type Row = { group: Record<string, unknown>; values: Value[] };

/** Whether an output is a query result (`{ rows: [{ group, values }] }`). */
export function isQueryResult(output: unknown): output is { rows: Row[] } {
  if (typeof output !== 'object' || output === null || !Array.isArray((output as { rows?: unknown }).rows))
    return false;
  return (output as { rows: unknown[] }).rows.every(
    (r) => typeof r === 'object' && r !== null && 'group' in r && Array.isArray((r as { values?: unknown }).values),
  );
}

const label = (v: Value) => (v.fn === 'count_distinct_subjects' ? 'subjects' : `${v.fn}(${v.attribute ?? ''})`);

/**
 * Renders the rows; an empty result says so (groups under k_min distinct subjects are left out,
 * exactly as groups without records). Values are noisy: `±b` is the half-width of the 99% interval.
 */
export function renderQueryResult(output: { rows: Row[] }): string {
  if (output.rows.length === 0) return 'no group to release (none has at least k_min distinct subjects)';
  const first = output.rows[0]!;
  const groupCols = Object.keys(first.group);
  const columns: TableColumn[] = [
    ...groupCols.map((header) => ({ header })),
    ...first.values.map((v) => ({ header: label(v), align: 'right' as const })),
    ...first.values.map((v) => ({ header: `±99% ${label(v)}`, align: 'right' as const })),
  ];
  const rows = output.rows.map((r) => [
    ...groupCols.map((g) => String(r.group[g] ?? '∅')),
    ...r.values.map((v) => String(v.value)),
    ...r.values.map((v) => String(v.bound99)),
  ]);
  return renderTable(columns, rows);
}
