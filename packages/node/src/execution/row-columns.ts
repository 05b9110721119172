/**
 * What each row of a frozen row array yields regardless of the task (an attribute's comparable
 * form, its fixed-point value, a group key), computed once per array and column and reused. The
 * materializer hands every task over the same snapshot and consent the same frozen rows, so the
 * executions and re-executions of later tasks find their columns ready. A frozen array's rows and
 * their fields must never change either (the materializer's never do).
 */
/** One materialized row: the subject and the task's resolved attributes only. */
export type Row = { readonly subject: string; readonly fields: Readonly<Record<string, unknown>> };

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

/** Values of frozen row arrays under names clients choose (a task's filter), by name; oldest out. */
const selectionsOf = new WeakMap<readonly Row[], Map<string, unknown>>();
/** Such values remembered per row array at most. */
const MAX_SELECTIONS_PER_ROWS = 32;

/**
 * `compute()`, remembered under `name` for frozen `rows` (the same name must always mean the same
 * value for the same rows), at most `MAX_SELECTIONS_PER_ROWS` names per array: for values keyed by
 * what a task asks, whose variety has no bound.
 */
export function rememberedFor<T>(rows: readonly Row[], name: string, compute: () => T): T {
  if (!Object.isFrozen(rows)) return compute();
  let values = selectionsOf.get(rows);
  if (!values) {
    values = new Map();
    selectionsOf.set(rows, values);
  }
  if (values.has(name)) return values.get(name) as T;
  const value = compute();
  if (values.size >= MAX_SELECTIONS_PER_ROWS) values.delete(values.keys().next().value as string);
  values.set(name, value);
  return value;
}
