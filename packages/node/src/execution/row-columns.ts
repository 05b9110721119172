/**
 * What each row of a frozen row array yields regardless of the task (an attribute's comparable
 * form, its fixed-point value, a group key), computed once per array and column and reused. The
 * materializer hands every task over the same snapshot and consent the same frozen rows, so the
 * executions and re-executions of later tasks find their columns ready.
 */
import type { Row } from './builtin-operators.ts';

/** Columns of frozen row arrays, by name; they go with the rows. */
const columnsOf = new WeakMap<readonly Row[], Map<string, unknown[]>>();

/**
 * `rows.map(of)`, remembered under `name` when `rows` is frozen (the same name must always mean
 * the same function of a row). Rows that are not frozen are mapped afresh.
 */
export function column<T>(rows: readonly Row[], name: string, of: (row: Row) => T): readonly T[] {
  if (!Object.isFrozen(rows)) return rows.map(of);
  let columns = columnsOf.get(rows);
  if (!columns) {
    columns = new Map();
    columnsOf.set(rows, columns);
  }
  let values = columns.get(name) as T[] | undefined;
  if (!values) {
    values = rows.map(of);
    columns.set(name, values);
  }
  return values;
}
