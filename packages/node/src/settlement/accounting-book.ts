/**
 * The finalized accounting book: at finality a node records the epoch's settlement entries, reward
 * records, payout intents and payout batches in its store. This is what accounting and payout read
 * (`GET /v1/epochs/:epochId/accounting`); `symphony audit epoch` proves it equals what the log
 * derives and what the quorum certificate signed.
 */
import type { EpochAccounting, PayoutBatch, PayoutIntent, RewardRecord, SettlementEntry } from '@symphony/protocol';
import { qualified } from '../data/sql-names.ts';
import type { Migration, Store } from '../ports/store.ts';

export function accountingMigrations(schema: string): Migration[] {
  return [
    {
      id: `${schema}/0001-finalized-accounting`,
      sql: `create schema if not exists ${schema};
        create table ${qualified(schema, 'finalized_accounting')} (
          kind text not null check (kind in ('epoch', 'entry', 'reward', 'payout')),
          id text not null,
          epoch_id integer not null,
          body jsonb not null,
          primary key (kind, id)
        );
        create index on ${qualified(schema, 'finalized_accounting')} (epoch_id);`,
    },
    {
      id: `${schema}/0002-payout-batches`,
      sql: `alter table ${qualified(schema, 'finalized_accounting')} drop constraint finalized_accounting_kind_check;
        alter table ${qualified(schema, 'finalized_accounting')} add constraint finalized_accounting_kind_check
          check (kind in ('epoch', 'entry', 'reward', 'payout', 'batch'));`,
    },
  ];
}

type Row = { kind: 'epoch' | 'entry' | 'reward' | 'payout' | 'batch'; id: string; body: unknown };

export class AccountingBook {
  readonly #store: Store;
  readonly #table: string;

  private constructor(store: Store, schema: string) {
    this.#store = store;
    this.#table = qualified(schema, 'finalized_accounting');
  }

  static async open(store: Store, schema: string): Promise<AccountingBook> {
    await store.migrate(accountingMigrations(schema));
    return new AccountingBook(store, schema);
  }

  /** The store holding the book (operators inspect it with SQL). */
  get store(): Store {
    return this.#store;
  }

  /** The table's qualified name (operators and tests read it with SQL). */
  get table(): string {
    return this.#table;
  }

  /** Records an epoch's accounting; records already there are left as they are (finality never changes them). */
  async record(a: EpochAccounting): Promise<void> {
    const rows: [string, string, unknown][] = [
      // One row per recorded epoch, also for an epoch without tasks: what `has` looks for.
      [
        'epoch',
        String(a.epoch_id),
        { epoch_id: a.epoch_id, entries: a.entries.length, rewards: a.rewards.length, payouts: a.payouts.length },
      ],
      ...a.entries.map((e) => ['entry', e.task_id, e] as [string, string, unknown]),
      ...a.rewards.map((r) => ['reward', r.reward_id, r] as [string, string, unknown]),
      ...a.payouts.map((p) => ['payout', p.intent_id, p] as [string, string, unknown]),
      ...(a.batches ?? []).map((b) => ['batch', b.batch_id, b] as [string, string, unknown]),
    ];
    await this.#store.transaction(async (tx) => {
      for (let i = 0; i < rows.length; i += 500) {
        const chunk = rows.slice(i, i + 500);
        const values = chunk.map((_, j) => `($${j * 3 + 1}, $${j * 3 + 2}, ${a.epoch_id}, $${j * 3 + 3}::jsonb)`);
        await tx.query(
          `insert into ${this.#table} (kind, id, epoch_id, body) values ${values.join(', ')} on conflict (kind, id) do nothing`,
          chunk.flatMap(([kind, id, body]) => [kind, id, JSON.stringify(body)]),
        );
      }
    });
  }

  /** Whether anything is recorded for the epoch. */
  async has(epoch_id: number): Promise<boolean> {
    const rows = await this.#store.query(`select 1 from ${this.#table} where kind = 'epoch' and id = $1`, [
      String(epoch_id),
    ]);
    return rows.length > 0;
  }

  /** The recorded accounting of an epoch (each kind ordered by id). */
  async read(epoch_id: number): Promise<EpochAccounting> {
    const rows = await this.#store.query<Row>(
      `select kind, id, body from ${this.#table} where epoch_id = $1 order by kind, id`,
      [epoch_id],
    );
    const of = <T>(kind: Row['kind']) => rows.filter((r) => r.kind === kind).map((r) => r.body as T);
    return {
      epoch_id,
      entries: of<SettlementEntry>('entry'),
      rewards: of<RewardRecord>('reward'),
      payouts: of<PayoutIntent>('payout'),
      batches: of<PayoutBatch>('batch'),
    };
  }
}
