/**
 * Writes of one kind go out together, as one statement: a node's tasks each store an output, a
 * transcript or an idempotency key, and on an embedded store every statement costs far more than
 * its rows. A write goes out after the current turn of the event loop with the other writes of
 * that turn, or, if a statement is in flight, with those made meanwhile as soon as it returns.
 * Each caller's promise settles with its own row's result; if a grouped statement fails, its rows
 * are written again one by one, so an error reaches only the caller whose row caused it.
 */

/** Rows written per statement at most. */
const MAX_GROUP = 256;

type Waiting<Row, Result> = { row: Row; resolve: (r: Result) => void; reject: (e: unknown) => void };

export class StatementGroup<Row, Result> {
  readonly #write: (rows: readonly Row[]) => Promise<Result[]>;
  readonly #waiting: Waiting<Row, Result>[] = [];
  #busy = false;
  /** Statements sent (grouped or not), for diagnostics. */
  statements = 0;

  /** `write` stores the rows in one statement and returns one result per row, in their order. */
  constructor(write: (rows: readonly Row[]) => Promise<Result[]>) {
    this.#write = write;
  }

  add(row: Row): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.#waiting.push({ row, resolve, reject });
      if (!this.#busy) {
        this.#busy = true;
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#waiting.length > 0) {
        const group = this.#waiting.splice(0, MAX_GROUP);
        await this.#send(group);
      }
    } finally {
      this.#busy = false;
    }
  }

  async #send(group: Waiting<Row, Result>[]): Promise<void> {
    this.statements++;
    try {
      const results = await this.#write(group.map((w) => w.row));
      for (let i = 0; i < group.length; i++) group[i]!.resolve(results[i] as Result);
    } catch (error) {
      if (group.length === 1) group[0]!.reject(error);
      else for (const w of group) await this.#send([w]);
    }
  }
}

/**
 * `($1::int, $2::text), ($3::int, $4::text), ...`: `rows` tuples of one parameter per entry of `casts`
 * (each followed by its cast, `''` for none), numbered from `$first`.
 */
export function valuesList(rows: number, casts: readonly string[], first = 1): string {
  const tuples: string[] = [];
  for (let r = 0, p = first; r < rows; r++) tuples.push(`(${casts.map((cast) => `$${p++}${cast}`).join(', ')})`);
  return tuples.join(', ');
}
