/**
 * Bar charts of released aggregates (a Compute histogram, a Query aggregate per group). SVG,
 * labelled for screen readers and always shown beside a table of the same numbers (the chart's
 * text alternative), drawn from the released aggregate only.
 */
export type Bar = { label: string; value: number; text?: string };

/** Bars of a Compute histogram output (`counts` over `bin_edges`), else undefined. */
export function histogramBarsOf(output: unknown): Bar[] | undefined {
  if (typeof output !== 'object' || output === null) return undefined;
  const o = output as Record<string, unknown>;
  if (!Array.isArray(o.counts) || !Array.isArray(o.bin_edges)) return undefined;
  const edges = o.bin_edges as string[];
  return (o.counts as number[]).map((value, i) => ({
    label: i + 1 < edges.length ? `${edges[i]}–${edges[i + 1]}` : `≥ ${edges[i]}`,
    value: Number(value),
  }));
}

/**
 * Horizontal bars; a negative value (a noisy count can be one) draws no bar but keeps its number.
 * `describedBy` names the element (a table or a sentence) that states the same figures in text.
 */
export function BarChart({
  bars,
  title,
  testId = 'result-chart',
  describedBy,
}: {
  bars: Bar[];
  title: string;
  testId?: string;
  describedBy?: string;
}) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const width = 640;
  const rowH = 28;
  const labelW = 150;
  const height = bars.length * rowH + 8;
  return (
    <figure className="chart" data-testid={testId}>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={title}
        aria-describedby={describedBy}
        preserveAspectRatio="xMinYMin meet"
      >
        <title>{title}</title>
        {bars.map((b) => {
          const w = ((width - labelW - 150) * Math.max(0, b.value)) / max;
          const y = bars.indexOf(b) * rowH + 4;
          return (
            <g key={b.label} data-label={b.label}>
              <text x={labelW - 8} y={y + 17} textAnchor="end" className="chart-label">
                {b.label.length > 20 ? `${b.label.slice(0, 19)}…` : b.label}
              </text>
              <rect x={labelW} y={y} width={Math.max(w, 1)} height={rowH - 8} rx="3" className="chart-bar" />
              <text x={labelW + w + 6} y={y + 17} className="chart-value">
                {b.text ?? b.value}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>{title}</figcaption>
    </figure>
  );
}

/** The same bars as a table (the chart's text alternative). */
export function BarTable({
  bars,
  id,
  label,
  valueLabel,
}: {
  bars: Bar[];
  id: string;
  label: string;
  valueLabel: string;
}) {
  return (
    <div className="table-wrap">
      <table id={id}>
        <thead>
          <tr>
            <th scope="col">{label}</th>
            <th scope="col">{valueLabel}</th>
          </tr>
        </thead>
        <tbody>
          {bars.map((b) => (
            <tr key={b.label}>
              <td>{b.label}</td>
              <td>{b.text ?? b.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
