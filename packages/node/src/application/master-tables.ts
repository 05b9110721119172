/** A master's own tables: idempotency keys of admissions and the released outputs of tasks. */
import { qualified } from '../data/sql-names.ts';
import { StatementGroup, valuesList } from '../data/statement-group.ts';
import type { Migration, Store } from '../ports/store.ts';

type Claim = { key: string; body_hash: string; task_id: string };
type Output = { task_id: string; attempt: number; output: unknown; output_hash: string };

export function masterMigrations(schema: string): Migration[] {
  return [
    {
      id: `${schema}/0001-master`,
      sql: `create schema if not exists ${schema};
        create table ${qualified(schema, 'idempotency_keys')} (
          key text primary key,
          body_hash text not null,
          task_id text not null,
          created_at timestamptz not null default now()
        );
        create table ${qualified(schema, 'task_outputs')} (
          task_id text not null,
          attempt integer not null,
          output jsonb not null,
          output_hash text not null,
          primary key (task_id, attempt)
        );`,
    },
  ];
}

export class MasterTables {
  readonly #store: Store;
  readonly #keys: string;
  readonly #outputsTable: string;

  constructor(store: Store, schema: string) {
    this.#store = store;
    this.#keys = qualified(schema, 'idempotency_keys');
    this.#outputsTable = qualified(schema, 'task_outputs');
  }

  async idempotencyKey(key: string): Promise<{ body_hash: string; task_id: string } | undefined> {
    const rows = await this.#store.query<{ body_hash: string; task_id: string }>(
      `select body_hash, task_id from ${this.#keys} where key = $1`,
      [key],
    );
    return rows[0];
  }

  /**
   * Records each key unless it is held, and returns the row that holds it (ours, or the earlier
   * request's); concurrent admissions share one statement (see statement-group.ts), and within it a
   * key given twice goes to its first request. Falls back to a lookup when a concurrent request holds
   * the key but its row was not yet visible to the statement.
   */
  readonly #claims = new StatementGroup<Claim, Claim | undefined>(async (claims) => {
    const rows = await this.#store.query<Claim & { key: string }>(
      `with input (key, body_hash, task_id, n) as (values ${valuesList(claims.length, ['::text', '::text', '::text', '::int'])}),
       ins as (
         insert into ${this.#keys} (key, body_hash, task_id)
         select distinct on (key) key, body_hash, task_id from input order by key, n
         on conflict (key) do nothing returning key, body_hash, task_id
       )
       select key, body_hash, task_id from ins
       union all
       select k.key, k.body_hash, k.task_id from ${this.#keys} k
       where k.key in (select key from input) and k.key not in (select key from ins)`,
      claims.flatMap((c, n) => [c.key, c.body_hash, c.task_id, n]),
    );
    const byKey = new Map(rows.map((r) => [r.key, { key: r.key, body_hash: r.body_hash, task_id: r.task_id }]));
    return claims.map((c) => byKey.get(c.key));
  });

  async claimOrGetIdempotencyKey(
    key: string,
    body_hash: string,
    task_id: string,
  ): Promise<{ body_hash: string; task_id: string }> {
    const held = (await this.#claims.add({ key, body_hash, task_id })) ?? (await this.idempotencyKey(key))!;
    return { body_hash: held.body_hash, task_id: held.task_id };
  }

  /** Released outputs of concurrent tasks, written together; for a task and attempt given twice the last wins. */
  readonly #outputs = new StatementGroup<Output, void>(async (outputs) => {
    const last = [...new Map(outputs.map((o) => [`${o.task_id}\u0000${o.attempt}`, o])).values()];
    await this.#store.query(
      `insert into ${this.#outputsTable} (task_id, attempt, output, output_hash)
       values ${valuesList(last.length, ['', '::integer', '::jsonb', ''])}
       on conflict (task_id, attempt) do update set output = excluded.output, output_hash = excluded.output_hash`,
      last.flatMap((o) => [o.task_id, o.attempt, JSON.stringify(o.output), o.output_hash]),
    );
    return outputs.map(() => undefined);
  });

  putOutput(task_id: string, attempt: number, output: unknown, output_hash: string): Promise<void> {
    return this.#outputs.add({ task_id, attempt, output, output_hash });
  }

  async output(task_id: string, attempt: number): Promise<{ output: unknown; output_hash: string } | undefined> {
    const rows = await this.#store.query<{ output: unknown; output_hash: string }>(
      `select output, output_hash from ${this.#outputsTable} where task_id = $1 and attempt = $2`,
      [task_id, attempt],
    );
    return rows[0];
  }
}
