/**
 * A Query task's released result: the released groups as a table and one bar chart per aggregate.
 * Groups resting on fewer than k_min distinct subjects are suppressed by the enclave and left out
 * exactly as absent groups are, so the console cannot and does not show or count them. Noisy values
 * are shown with their 99% bound.
 */
import type { ReleasedRow, ReleasedValue } from '@symphony/protocol';
import { BarChart } from './chart.tsx';
import { Empty } from './components.tsx';

export type QueryOutput = {
  rows: ReleasedRow[];
  audience?: { eligible: number; bound99: number; handle: string | null };
};

/** The output when it has a Query result's shape (`rows` of `{ group, values }`), else undefined. */
export function queryOutputOf(output: unknown): QueryOutput | undefined {
  if (typeof output !== 'object' || output === null) return undefined;
  const rows = (output as Record<string, unknown>).rows;
  if (!Array.isArray(rows)) return undefined;
  const shaped = rows.every(
    (r) =>
      typeof r === 'object' &&
      r !== null &&
      typeof (r as ReleasedRow).group === 'object' &&
      Array.isArray((r as ReleasedRow).values),
  );
  return shaped ? (output as QueryOutput) : undefined;
}

const aggregateName = (v: ReleasedValue) =>
  v.fn === 'count_distinct_subjects'
    ? 'distinct subjects'
    : v.fn === 'quantile'
      ? `quantile ${v.quantile ?? ''} of ${v.attribute ?? ''}`
      : `${v.fn} of ${v.attribute ?? ''}`;

const groupLabel = (row: ReleasedRow) =>
  Object.values(row.group)
    .map((v) => (v === null ? '(none)' : String(v)))
    .join(' · ') || 'all records';

const withBound = (v: ReleasedValue) => (Number(v.bound99) === 0 ? String(v.value) : `${v.value} ± ${v.bound99}`);

export function QueryResult({ output, taskId }: { output: QueryOutput; taskId: string }) {
  const { rows } = output;
  const groupColumns = [...new Set(rows.flatMap((r) => Object.keys(r.group)))];
  const aggregates = rows[0]?.values ?? [];
  const noisy = rows.some((r) => r.values.some((v) => Number(v.bound99) !== 0));
  return (
    <div data-testid="query-result">
      <p id="query-result-summary">
        {rows.length === 1 ? '1 group released' : `${rows.length} groups released`}.{' '}
        <span className="muted">
          A group resting on fewer than k_min distinct subjects is suppressed: it is left out exactly as a group with no
          records, so nothing here tells you whether one existed.
          {noisy ? ' Values carry calibrated noise; ± is the half-width of the 99% interval.' : ''}
        </span>
      </p>
      {rows.length === 0 ? (
        <Empty title="No group was released.">
          No records matched, or every group rested on fewer than k_min distinct subjects (the two look the same by
          design). Widen the filter or the grouping, or target more Vaults, and submit a new Query.
        </Empty>
      ) : (
        <>
          <div className="table-wrap">
            <table data-testid="query-table" aria-describedby="query-result-summary">
              <caption className="visually-hidden">Released groups of {taskId}</caption>
              <thead>
                <tr>
                  {groupColumns.map((c) => (
                    <th key={c} scope="col">
                      {c}
                    </th>
                  ))}
                  {aggregates.map((v, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: aggregates are positional, as the spec lists them
                    <th key={i} scope="col">
                      {aggregateName(v)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={groupLabel(r)} data-testid="query-group">
                    {groupColumns.map((c) => (
                      <td key={c}>{r.group[c] === null ? '(none)' : String(r.group[c] ?? '')}</td>
                    ))}
                    {r.values.map((v, i) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: aggregates are positional
                      <td key={i}>{withBound(v)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {aggregates.map((a, i) => (
            <BarChart
              // biome-ignore lint/suspicious/noArrayIndexKey: aggregates are positional
              key={i}
              testId="query-chart"
              describedBy="query-result-summary"
              title={`${aggregateName(a)} per ${groupColumns.join(' · ') || 'query'} (released groups)`}
              bars={rows.map((r) => ({
                label: groupLabel(r),
                value: Number(r.values[i]?.value ?? 0),
                text: r.values[i] ? withBound(r.values[i]) : '',
              }))}
            />
          ))}
        </>
      )}
      {output.audience ? (
        <p>
          Audience: {output.audience.eligible} ± {output.audience.bound99} eligible subjects
          {output.audience.handle ? ' (a sealed handle only the Vaults can resolve)' : ' (none released)'}.
        </p>
      ) : null}
    </div>
  );
}
