/** Plain-text tables with aligned columns. */
import { visibleWidth } from './colors.ts';

/** One column: its header and how its cells align. */
export type TableColumn = { header: string; align?: 'left' | 'right' };

/**
 * Renders rows under a header, each column padded to its widest cell (ANSI colors do not count),
 * columns separated by two spaces, no trailing spaces. Returns the lines without a final newline.
 */
export function renderTable(columns: readonly TableColumn[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((column, index) =>
    Math.max(visibleWidth(column.header), ...rows.map((row) => visibleWidth(row[index] ?? ''))),
  );
  const line = (cells: readonly string[]): string =>
    columns
      .map((column, index) => {
        const cell = cells[index] ?? '';
        const pad = ' '.repeat((widths[index] ?? 0) - visibleWidth(cell));
        return column.align === 'right' ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map(line)].join('\n');
}

/** Renders `label: value` pairs with the values aligned. */
export function renderPairs(pairs: readonly (readonly [string, string])[], indent = ''): string {
  const width = Math.max(0, ...pairs.map(([label]) => visibleWidth(label)));
  return pairs
    .map(([label, value]) => `${indent}${label}:${' '.repeat(width - visibleWidth(label) + 1)}${value}`.trimEnd())
    .join('\n');
}
