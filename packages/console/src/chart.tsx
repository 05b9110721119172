/**
 * Charts of aggregate results: a bar chart for histograms and grouped counts, a single figure for
 * count, sum and mean. SVG, labelled for screen readers, drawn from the released aggregate only.
 */
type Bar = { label: string; value: number };

/** Bars of an aggregate output, when it has a shape worth charting. */
export function barsOf(output: unknown): Bar[] | undefined {
  if (typeof output !== 'object' || output === null) return undefined;
  const o = output as Record<string, unknown>;
  if (Array.isArray(o.counts) && Array.isArray(o.bin_edges)) {
    const edges = o.bin_edges as string[];
    return (o.counts as number[]).map((value, i) => ({
      label: i + 1 < edges.length ? `${edges[i]}–${edges[i + 1]}` : `≥ ${edges[i]}`,
      value: Number(value),
    }));
  }
  for (const key of ['groups', 'rows']) {
    const rows = o[key];
    if (Array.isArray(rows) && rows.every((r) => typeof r === 'object' && r !== null)) {
      const bars = rows.map((r: Record<string, unknown>) => {
        const entries = Object.entries(r);
        const num = entries.find(
          ([, v]) => typeof v === 'number' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)),
        );
        const label = entries.find(([k]) => k !== num?.[0]);
        return { label: String(label?.[1] ?? ''), value: Number(num?.[1] ?? 0) };
      });
      if (bars.length > 0) return bars;
    }
  }
  return undefined;
}

export function BarChart({ bars, title }: { bars: Bar[]; title: string }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const width = 640;
  const rowH = 28;
  const labelW = 120;
  const height = bars.length * rowH + 8;
  return (
    <figure className="chart" data-testid="result-chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title} preserveAspectRatio="xMinYMin meet">
        <title>{title}</title>
        {bars.map((b, i) => {
          const w = ((width - labelW - 60) * b.value) / max;
          const y = i * rowH + 4;
          return (
            <g key={b.label}>
              <text x={labelW - 8} y={y + 17} textAnchor="end" className="chart-label">
                {b.label}
              </text>
              <rect x={labelW} y={y} width={Math.max(w, 1)} height={rowH - 8} rx="3" className="chart-bar" />
              <text x={labelW + w + 6} y={y + 17} className="chart-value">
                {b.value}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>{title}</figcaption>
    </figure>
  );
}

/** Rows of an aggregate output (`rows` or `groups`: a list of flat objects), for a table. */
export function rowsOf(output: unknown): Record<string, unknown>[] | undefined {
  if (typeof output !== 'object' || output === null) return undefined;
  for (const key of ['rows', 'groups']) {
    const rows = (output as Record<string, unknown>)[key];
    if (
      Array.isArray(rows) &&
      rows.length > 0 &&
      rows.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r))
    )
      return rows as Record<string, unknown>[];
  }
  return undefined;
}

export function ResultTable({ rows }: { rows: Record<string, unknown>[] }) {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows of a released aggregate have no identity
            <tr key={i}>
              {columns.map((c) => (
                <td key={c}>{typeof r[c] === 'object' ? JSON.stringify(r[c]) : String(r[c] ?? '')}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
