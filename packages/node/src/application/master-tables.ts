/** A master's own tables: idempotency keys of admissions and the released outputs of tasks. */
import { qualified } from '../data/sql-names.ts';
import type { Migration, Store } from '../ports/store.ts';

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
  readonly #outputs: string;

  constructor(store: Store, schema: string) {
    this.#store = store;
    this.#keys = qualified(schema, 'idempotency_keys');
    this.#outputs = qualified(schema, 'task_outputs');
  }

  async idempotencyKey(key: string): Promise<{ body_hash: string; task_id: string } | undefined> {
    const rows = await this.#store.query<{ body_hash: string; task_id: string }>(
      `select body_hash, task_id from ${this.#keys} where key = $1`,
      [key],
    );
    return rows[0];
  }

  /**
   * One statement: records the key unless it is held, and returns the row that holds it (ours,
   * or the earlier request's); falls back to a lookup when a concurrent request holds it but its
   * row was not yet visible to the statement.
   */
  async claimOrGetIdempotencyKey(
    key: string,
    body_hash: string,
    task_id: string,
  ): Promise<{ body_hash: string; task_id: string }> {
    const rows = await this.#store.query<{ body_hash: string; task_id: string }>(
      `with ins as (
         insert into ${this.#keys} (key, body_hash, task_id) values ($1, $2, $3)
         on conflict (key) do nothing returning body_hash, task_id
       )
       select body_hash, task_id from ins
       union all
       select body_hash, task_id from ${this.#keys} where key = $1 and not exists (select 1 from ins)`,
      [key, body_hash, task_id],
    );
    return rows[0] ?? (await this.idempotencyKey(key))!;
  }

  async putOutput(task_id: string, attempt: number, output: unknown, output_hash: string): Promise<void> {
    await this.#store.query(
      `insert into ${this.#outputs} (task_id, attempt, output, output_hash) values ($1, $2, $3::jsonb, $4)
       on conflict (task_id, attempt) do update set output = excluded.output, output_hash = excluded.output_hash`,
      [task_id, attempt, JSON.stringify(output), output_hash],
    );
  }

  async output(task_id: string, attempt: number): Promise<{ output: unknown; output_hash: string } | undefined> {
    const rows = await this.#store.query<{ output: unknown; output_hash: string }>(
      `select output, output_hash from ${this.#outputs} where task_id = $1 and attempt = $2`,
      [task_id, attempt],
    );
    return rows[0];
  }
}
