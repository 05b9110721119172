/**
 * The default `Anchor`: a local hash-chained anchor ledger in the node's store. Entry `seq` names
 * the previous entry's hash, and `hash = hash("scp/v1/anchor-ledger-entry", entry without hash)`,
 * so a changed, removed or reordered entry breaks the chain and `verify` says so.
 */
export { type AnchorLedgerEntry, anchorLedgerEntryHash, brokenLedgerEntry };

import { type AnchorLedgerEntry, anchorLedgerEntryHash, brokenLedgerEntry } from '../anchoring/anchor-ledger-chain.ts';
import { qualified } from '../data/sql-names.ts';
import {
  type Anchor,
  type AnchorCheck,
  type AnchorOutcome,
  type AnchorReceipt,
  type AnchorStatement,
  checkAnchorStatement,
  compareAnchored,
  sameStatement,
} from '../ports/anchor.ts';
import { GENESIS_PREV_HASH } from '../ports/protocol-log.ts';
import type { Migration, Store } from '../ports/store.ts';

export function anchorLedgerMigrations(schema: string): Migration[] {
  return [
    {
      id: `${schema}/0001-anchor-ledger`,
      sql: `create schema if not exists ${schema};
        create table ${qualified(schema, 'anchor_ledger')} (
          seq integer primary key,
          epoch_id integer not null unique,
          network_id text not null,
          settlement_root text not null,
          rewards_root text not null,
          statement_hash text not null,
          prev_hash text not null,
          hash text not null unique,
          anchored_at timestamptz not null default now()
        );`,
    },
  ];
}

type Row = {
  seq: number;
  epoch_id: number;
  network_id: string;
  settlement_root: string;
  rewards_root: string;
  statement_hash: string;
  prev_hash: string;
  hash: string;
};

const COLUMNS = 'seq, epoch_id, network_id, settlement_root, rewards_root, statement_hash, prev_hash, hash';

const entryOf = (r: Row): AnchorLedgerEntry => ({
  seq: Number(r.seq),
  prev_hash: r.prev_hash,
  network_id: r.network_id,
  epoch_id: Number(r.epoch_id),
  settlement_root: r.settlement_root,
  rewards_root: r.rewards_root,
  statement_hash: r.statement_hash,
  hash: r.hash,
});

const receiptOf = (e: AnchorLedgerEntry): AnchorReceipt => ({
  network_id: e.network_id,
  epoch_id: e.epoch_id,
  settlement_root: e.settlement_root,
  rewards_root: e.rewards_root,
  statement_hash: e.statement_hash,
  adapter: 'ledger',
  reference: e.hash,
  position: e.seq,
});

/** The local hash-chained anchor ledger (call `open` to create its table). */
export class LedgerAnchor implements Anchor {
  readonly kind = 'ledger';
  readonly #store: Store;
  readonly #schema: string;
  readonly #table: string;

  private constructor(store: Store, schema: string) {
    this.#store = store;
    this.#schema = schema;
    this.#table = qualified(schema, 'anchor_ledger');
  }

  /** Opens the ledger of `schema` (a node's schema) in `store`, creating its table. */
  static async open(store: Store, schema: string): Promise<LedgerAnchor> {
    await store.migrate(anchorLedgerMigrations(schema));
    return new LedgerAnchor(store, schema);
  }

  get schema(): string {
    return this.#schema;
  }

  async anchor(statement: AnchorStatement): Promise<AnchorOutcome> {
    checkAnchorStatement(statement);
    return this.#store.transaction(async (tx) => {
      const [held] = await tx.query<Row>(`select ${COLUMNS} from ${this.#table} where epoch_id = $1`, [
        statement.epoch_id,
      ]);
      if (held) {
        const receipt = receiptOf(entryOf(held));
        return sameStatement(statement, receipt)
          ? { ok: true as const, receipt, already: true }
          : { ok: false as const, code: 'conflict' as const, existing: receipt };
      }
      const [last] = await tx.query<Row>(`select ${COLUMNS} from ${this.#table} order by seq desc limit 1`);
      const body = {
        seq: last ? Number(last.seq) + 1 : 0,
        prev_hash: last ? last.hash : GENESIS_PREV_HASH,
        network_id: statement.network_id,
        epoch_id: statement.epoch_id,
        settlement_root: statement.settlement_root,
        rewards_root: statement.rewards_root,
        statement_hash: statement.statement_hash,
      };
      const entry: AnchorLedgerEntry = { ...body, hash: anchorLedgerEntryHash(body) };
      await tx.query(`insert into ${this.#table} (${COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8)`, [
        entry.seq,
        entry.epoch_id,
        entry.network_id,
        entry.settlement_root,
        entry.rewards_root,
        entry.statement_hash,
        entry.prev_hash,
        entry.hash,
      ]);
      return { ok: true as const, receipt: receiptOf(entry), already: false };
    });
  }

  async read(epoch_id: number): Promise<AnchorReceipt | undefined> {
    const [row] = await this.#store.query<Row>(`select ${COLUMNS} from ${this.#table} where epoch_id = $1`, [epoch_id]);
    return row ? receiptOf(entryOf(row)) : undefined;
  }

  /** Every ledger entry in order (small: one per finalized epoch). */
  async ledger(): Promise<AnchorLedgerEntry[]> {
    const rows = await this.#store.query<Row>(`select ${COLUMNS} from ${this.#table} order by seq`);
    return rows.map(entryOf);
  }

  async verify(statement: AnchorStatement): Promise<AnchorCheck> {
    const entries = await this.ledger();
    const broken = brokenLedgerEntry(entries);
    const held = entries.find((e) => e.epoch_id === statement.epoch_id);
    if (broken && (!held || broken.seq <= held.seq)) {
      return { ok: false, code: 'ledger_broken', message: `anchor ledger: ${broken.reason}` };
    }
    return compareAnchored(statement, held ? receiptOf(held) : undefined);
  }
}
