/**
 * The Vault record store of an enterprise node: records in ingest order (`seq` is the snapshot
 * position an execution reads "as of"), one content commitment per record (unsalted for now; a
 * salted commitment belongs to the Vault encryption work), duplicates refused by id. Plaintext
 * lives only in this node's tables.
 */
import type { RecordInput } from '@symphony/api';
import { canonicalBytes, sha256Hex } from '@symphony/protocol';
import type { Migration, Store } from '../ports/store.ts';
import { qualified } from './sql-names.ts';

export type StoredRecord = {
  seq: number;
  record_id: string;
  subject: string;
  fields: Record<string, unknown>;
  commitment: string;
};

export function vaultRecordMigrations(schema: string): Migration[] {
  const t = qualified(schema, 'records');
  return [
    {
      id: `${schema}/0001-records`,
      sql: `create schema if not exists ${schema};
        create table ${t} (
          seq bigserial primary key,
          vault_id text not null,
          record_id text not null,
          subject text not null,
          fields jsonb not null,
          commitment text not null,
          ingested_at timestamptz not null default now(),
          unique (vault_id, record_id)
        );
        create index on ${t} (vault_id, seq);`,
    },
  ];
}

/** The commitment of a record: SHA-256 of its canonical form (vault, id, subject, fields). */
export function recordCommitment(vault_id: string, record_id: string, subject: string, fields: unknown): string {
  return sha256Hex(canonicalBytes({ vault_id, record_id, subject, fields }));
}

/** A content-derived record id when the producer gives none: the same record twice is one record. */
export function contentRecordId(subject: string, fields: unknown): string {
  return `rec_${sha256Hex(canonicalBytes({ subject, fields })).slice(0, 32)}`;
}

/** Snapshot rows kept in memory at most (records are immutable below a snapshot position, so caching is safe). */
const SNAPSHOT_CACHE_ROWS = 200_000;

export class VaultRecords {
  readonly #store: Store;
  readonly #table: string;
  readonly #snapshots = new Map<string, StoredRecord[]>();
  #cachedRows = 0;

  constructor(store: Store, schema: string) {
    this.#store = store;
    this.#table = qualified(schema, 'records');
  }

  /** Inserts records in one transaction; returns how many were new and how many were duplicates. */
  async insert(vault_id: string, records: readonly RecordInput[]): Promise<{ accepted: number; duplicates: number }> {
    const rows = records.map((r) => {
      const record_id = r.record_id ?? contentRecordId(r.subject, r.fields);
      return {
        record_id,
        subject: r.subject,
        fields: r.fields,
        commitment: recordCommitment(vault_id, record_id, r.subject, r.fields),
      };
    });
    return this.#store.transaction(async (tx) => {
      let accepted = 0;
      for (let i = 0; i < rows.length; i += 500) {
        const chunk = rows.slice(i, i + 500);
        const inserted = await tx.query<{ n: bigint }>(
          `with input as (
             select * from jsonb_to_recordset($2::jsonb) as x(record_id text, subject text, fields jsonb, commitment text)
           ), ins as (
             insert into ${this.#table} (vault_id, record_id, subject, fields, commitment)
             select $1, record_id, subject, fields, commitment from input
             on conflict (vault_id, record_id) do nothing
             returning 1
           ) select count(*)::bigint as n from ins`,
          [vault_id, JSON.stringify(chunk)],
        );
        accepted += Number(inserted[0]?.n ?? 0n);
      }
      return { accepted, duplicates: rows.length - accepted };
    });
  }

  /** The latest snapshot position of a Vault (0 when empty): one index lookup. */
  async head(vault_id: string): Promise<number> {
    const rows = await this.#store.query<{ seq: bigint }>(
      `select seq from ${this.#table} where vault_id = $1 order by seq desc limit 1`,
      [vault_id],
    );
    return Number(rows[0]?.seq ?? 0n);
  }

  /** How many records a Vault holds. */
  async count(vault_id: string): Promise<number> {
    const rows = await this.#store.query<{ n: bigint }>(
      `select count(*)::bigint as n from ${this.#table} where vault_id = $1`,
      [vault_id],
    );
    return Number(rows[0]?.n ?? 0n);
  }

  /**
   * Every record of a Vault up to a snapshot position, in ingest order. A snapshot never changes
   * (records below `as_of_seq` are never rewritten), so recent ones are served from memory: an
   * execution and its re-execution, or consecutive tasks on one Vault, read the table once.
   */
  async snapshot(vault_id: string, as_of_seq: number): Promise<readonly StoredRecord[]> {
    const key = `${vault_id}\u0000${as_of_seq}`;
    const cached = this.#snapshots.get(key);
    if (cached) return cached;
    const rows = await this.#store.query<{
      seq: bigint;
      record_id: string;
      subject: string;
      fields: Record<string, unknown>;
      commitment: string;
    }>(
      `select seq, record_id, subject, fields, commitment from ${this.#table} where vault_id = $1 and seq <= $2 order by seq`,
      [vault_id, as_of_seq],
    );
    const records = rows.map((r) => ({ ...r, seq: Number(r.seq) }));
    for (const [k, v] of this.#snapshots) {
      if (this.#cachedRows + records.length <= SNAPSHOT_CACHE_ROWS) break;
      this.#snapshots.delete(k);
      this.#cachedRows -= v.length;
    }
    if (records.length <= SNAPSHOT_CACHE_ROWS) {
      this.#snapshots.set(key, records);
      this.#cachedRows += records.length;
    }
    return records;
  }

  async counts(): Promise<Map<string, number>> {
    const rows = await this.#store.query<{ vault_id: string; n: bigint }>(
      `select vault_id, count(*)::bigint as n from ${this.#table} group by vault_id`,
    );
    return new Map(rows.map((r) => [r.vault_id, Number(r.n)]));
  }
}
