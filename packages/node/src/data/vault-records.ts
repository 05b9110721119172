/**
 * The encrypted Vault record store of an enterprise node. Records are kept in ingest order (`seq`
 * is the snapshot position an execution reads "as of"); each row holds the subject (a pseudonymous
 * actor id, needed for consent, quota and shredding), the payload sealed under a key derived from
 * its batch's fresh data key and its subject's key, the batch data key wrapped by the Vault KEK
 * (the subject keys, wrapped too, are in `subject_keys`; see `vault-crypto.ts`), and a salted
 * commitment of the record. Plaintext exists only in memory on this node, and only on the way in (sealing) or on the
 * way out through `snapshot`, whose sole caller is the materializer (`materialize-records.ts`).
 *
 * Every write belongs to an upload (a JSON batch is a one-statement upload). Rows are written
 * once, batch by batch, each batch in its own transaction, tagged with their upload; they become
 * visible only when `commitUpload` marks the upload committed and gives it the next commit
 * position, in one small transaction. A snapshot position is a commit position: the records of a
 * snapshot are those of the uploads committed at or before it, in (commit, insert) order, so a
 * snapshot never changes once taken, an upload is visible completely or not at all, and memory
 * stays bounded by one batch whatever the upload size.
 */

import type { RecordInput } from '@symphony/api';
import { bytesToHex, canonicalBytes, canonicalString, domainHash, sha256Hex } from '@symphony/protocol';
import { PortError } from '../ports/errors.ts';
import type { Migration, Store, StoreTx } from '../ports/store.ts';
import { type SealFormat, type SealJob, sealJobRecords, type WrapJob } from './seal-records.ts';
import { sealHere, sealInWorker, wrapHere, wrapInWorker } from './seal-worker.ts';
import { qualified } from './sql-names.ts';
import {
  batchKeyAad,
  deriveSaltKey,
  deriveVaultKek,
  newKey,
  openPayload,
  openRecord,
  RandomPool,
  recordKey,
  recordSalt,
  rewrapDataKey,
  rewrapKey,
  subjectKeyAad,
  unwrapKey,
  VaultCryptoError,
} from './vault-crypto.ts';

/** A decrypted record as the materializer sees it. */
export type StoredRecord = {
  seq: number;
  record_id: string;
  subject: string;
  fields: Record<string, unknown>;
  commitment: string;
};

/**
 * How a row's payload key is kept: 1 = its own data key wrapped by the Vault KEK (documents, and
 * records written before batch keys); 2 = HMAC-SHA256(subject key, batch data key), with the
 * batch data key wrapped by the KEK in `wrapped_key` and the subject key in `subject_keys`.
 */
export type KeyScheme = 1 | 2;

/** A record as stored: what anyone reading the table sees (no plaintext). */
export type SealedRow = {
  seq: number;
  record_id: string;
  subject: string;
  kind: 'record' | 'document';
  key_scheme: KeyScheme;
  kek_version: number;
  /** Scheme 1: the record's wrapped data key; scheme 2: its batch's wrapped data key; null once shredded. */
  wrapped_key: Uint8Array | null;
  /** Scheme 2: the subject's wrapped key and the KEK version that wraps it (null when it is gone). */
  subject_key: Uint8Array | null;
  subject_kek_version: number | null;
  ciphertext: Uint8Array;
  commitment: string;
  expires_at_ms: number | null;
};

/** Limits of one Vault (defaults in `DEFAULT_VAULT_LIMITS`). */
export type VaultLimits = {
  /** Largest sealed payload of one record, in bytes of canonical JSON. */
  max_record_bytes: number;
  /** Most records one data producer (the record subject) may hold in one Vault. */
  quota_per_subject: number;
  /** Records expire this long after ingestion; undefined keeps them. */
  retention_ms?: number;
};

export const DEFAULT_VAULT_LIMITS: VaultLimits = { max_record_bytes: 16 * 1024, quota_per_subject: 100_000 };

export function vaultRecordMigrations(schema: string): Migration[] {
  const t = (n: string) => qualified(schema, n);
  return [
    {
      id: `${schema}/0001-records`,
      sql: `create schema if not exists ${schema};
        create table ${t('records')} (
          seq bigserial primary key,
          vault_id text not null,
          record_id text not null,
          subject text not null,
          fields jsonb not null,
          commitment text not null,
          ingested_at timestamptz not null default now(),
          unique (vault_id, record_id)
        );
        create index on ${t('records')} (vault_id, seq);`,
    },
    {
      id: `${schema}/0003-sealed-records`,
      sql: `drop table ${t('records')};
        create sequence ${t('commit_positions')};
        create table ${t('uploads')} (
          upload_no bigserial unique,
          upload_id text primary key,
          vault_id text not null,
          state text not null,
          commit_seq bigint unique,
          accepted integer not null default 0,
          duplicates integer not null default 0,
          created_at timestamptz not null default now()
        );
        create index on ${t('uploads')} (vault_id, commit_seq);
        create table ${t('sealed_records')} (
          seq bigserial primary key,
          upload_no bigint not null,
          vault_id text not null,
          record_id text not null,
          subject text not null,
          kind text not null default 'record',
          kek_version integer not null,
          wrapped_key bytea,
          ciphertext bytea not null,
          commitment text not null,
          size_bytes integer not null,
          expires_at timestamptz,
          unique (vault_id, record_id)
        );
        create index on ${t('sealed_records')} (upload_no, seq);
        create table ${t('subject_counts')} (
          vault_id text not null,
          subject text not null,
          n bigint not null,
          primary key (vault_id, subject)
        );
        create table ${t('document_chunks')} (
          vault_id text not null,
          record_id text not null,
          idx integer not null,
          ciphertext bytea not null,
          primary key (vault_id, record_id, idx)
        );
        create table ${t('vault_keys')} (vault_id text primary key, version integer not null);
        create table ${t('vault_audit')} (
          id bigserial primary key,
          vault_id text not null,
          kind text not null,
          detail jsonb not null,
          at timestamptz not null default now()
        );
        create table ${t('vault_snapshots')} (
          vault_id text not null,
          epoch_id integer not null,
          record_count integer not null,
          commitments_root text not null,
          primary key (vault_id, epoch_id)
        );`,
    },
    {
      id: `${schema}/0004-batch-and-subject-keys`,
      sql: `alter table ${t('sealed_records')} add column key_scheme smallint not null default 1;
        create table ${t('subject_keys')} (
          vault_id text not null,
          subject text not null,
          kek_version integer not null,
          wrapped_key bytea not null,
          primary key (vault_id, subject)
        );`,
    },
  ];
}

/**
 * The salted commitment of a record: hiding (the salt is a keyed pseudorandom function of the record,
 * see `recordSalt`, and is sealed with the payload) and binding (it covers the Vault, id, subject and
 * fields).
 */
export function recordCommitment(
  vault_id: string,
  record_id: string,
  subject: string,
  fields: unknown,
  salt: string,
): string {
  return domainHash('scp/v1/record-commitment', { vault_id, record_id, subject, fields, salt });
}

/** A content-derived record id when the producer gives none: the same record twice is one record. */
export function contentRecordId(subject: string, fields: unknown): string {
  return `rec_${sha256Hex(canonicalBytes({ subject, fields })).slice(0, 32)}`;
}

/**
 * Decrypted snapshot rows a node keeps in memory by default (records are immutable below a
 * snapshot position, so caching is safe); `VaultRecordsOptions.snapshotCacheRows` sets it per node.
 */
export const SNAPSHOT_CACHE_ROWS = 200_000;
/** Rows per SQL statement when writing or reading in bulk. */
const CHUNK = 1000;

/** Why a batch was refused; nothing of the batch is stored. */
export class RecordRefused extends PortError<'invalid_records' | 'record_too_large' | 'quota_exceeded'> {}

/** SQLSTATE of a unique constraint violation (a record id already stored). */
const UNIQUE_VIOLATION = '23505';
/** Records sealed on the calling thread below this batch size; from it on, in the sealing worker. */
const WORKER_MIN_RECORDS = 200;
/** Records per sealed part (rows per insert statement); the first part of a worker batch is smaller, to start inserting sooner. */
const PART = 300;
const FIRST_PART = 100;

/** Columns of a `COPY` of sealed rows: the batch's (a line's prefix), then the record's (see `SealJob`). */
const COPY_COLUMNS = [
  'upload_no',
  'vault_id',
  'kind',
  'key_scheme',
  'kek_version',
  'wrapped_key',
  'expires_at',
  'record_id',
  'subject',
  'ciphertext',
  'commitment',
  'size_bytes',
] as const;

/** Microseconds from the Unix epoch to PostgreSQL's (2000-01-01T00:00:00Z). */
const PG_EPOCH_US = 946_684_800_000_000n;

/**
 * The batch's fields of every tuple of a binary `COPY` of sealed rows (`COPY_COLUMNS` up to
 * `expires_at`), each as a 32-bit length then its bytes in PostgreSQL's binary format.
 */
function copyPrefix(
  upload_no: number,
  vault_id: string,
  version: number,
  wrapped_key: Uint8Array,
  expires_at: string | null,
): Buffer {
  const field = (bytes: Buffer) => {
    const length = Buffer.allocUnsafe(4);
    length.writeInt32BE(bytes.length);
    return [length, bytes];
  };
  const int = (bytes: number, value: number | bigint) => {
    const b = Buffer.allocUnsafe(bytes);
    if (bytes === 8) b.writeBigInt64BE(BigInt(value));
    else if (bytes === 4) b.writeInt32BE(Number(value));
    else b.writeInt16BE(Number(value));
    return b;
  };
  const NULL = Buffer.from([0xff, 0xff, 0xff, 0xff]);
  return Buffer.concat([
    ...field(int(8, upload_no)),
    ...field(Buffer.from(vault_id, 'utf8')),
    ...field(Buffer.from('record', 'utf8')),
    ...field(int(2, 2)),
    ...field(int(4, version)),
    ...field(Buffer.from(wrapped_key)),
    ...(expires_at === null ? [NULL] : field(int(8, BigInt(Date.parse(expires_at)) * 1000n - PG_EPOCH_US))),
  ]);
}

/** Columns of a `COPY` of new subject keys (see `wrapSubjectKeys`). */
const SUBJECT_KEY_COLUMNS = ['vault_id', 'subject', 'kek_version', 'wrapped_key'] as const;

/**
 * An upload this instance writes to: how many records it was sent, and, while every batch of it
 * was written by this instance with a known outcome, its new rows per subject (else undefined);
 * `staging`: batches being written.
 */
type OpenUpload = {
  vault_id: string;
  upload_no: number;
  sent: number;
  counts: Map<string, number> | undefined;
  staging: number;
};

/** Adds counts per subject (`[subject, n]`, `n` a number or a store's bigint) into `into`; returns it. */
function addCounts(
  into: Map<string, number>,
  counts: Iterable<readonly [string, number | bigint]>,
): Map<string, number> {
  for (const [subject, n] of counts) into.set(subject, (into.get(subject) ?? 0) + Number(n));
  return into;
}

/** Rows of `subject, n` from the store as counts. */
const countRows = (rows: readonly { subject: string; n: bigint }[]) => rows.map((r) => [r.subject, r.n] as const);

/** A sealed part of a batch: its rows in `format` (UTF-8) once sealed, and how many. */
type Part = { format: SealFormat; rows: Promise<Uint8Array>; count: number };

/** A batch sealed and ready to write (see `#prepare`). */
type Prepared = {
  count: number;
  parts: Part[];
  shared: Shared;
  /** The batch's records per subject. */
  subjects: Map<string, number>;
  /** Keys created for the batch's subjects that had none, wrapped under KEK `version`: their rows are stored with the batch's. */
  fresh?: { keys: Map<string, Buffer>; version: number; rows: Promise<Uint8Array> };
};

/** What the rows of one sealed batch share: passed once per statement, not once per row. */
type Shared = {
  kind: 'record' | 'document';
  key_scheme: KeyScheme;
  kek_version: number;
  /** Base64: the batch's wrapped data key (scheme 2) or the one record's (scheme 1). */
  wrapped_key: string;
  expires_at: string | null;
};

/** A sealed document record, as `stageSealed` takes it. */
export type SealedDocumentRow = {
  record_id: string;
  subject: string;
  kind: 'document';
  kek_version: number;
  wrapped_key: Buffer;
  ciphertext: Buffer;
  commitment: string;
  size_bytes: number;
  expires_at: string | null;
};
/** Unwrapped subject keys kept in memory at most (32 bytes each; dropped all at once past this). */
const SUBJECT_KEY_CACHE = 100_000;

/** A decrypted snapshot kept in memory, with the records that expire. */
type CachedSnapshot = {
  vault_id: string;
  as_of_seq: number;
  records: StoredRecord[];
  expiring: { record: StoredRecord; expires_at_ms: number }[];
};

/** Options of a node's record store. */
export type VaultRecordsOptions = {
  /** Decrypted snapshot rows kept in memory at most (default `SNAPSHOT_CACHE_ROWS`); 0 keeps none. */
  snapshotCacheRows?: number;
  /** Seal batches of `WORKER_MIN_RECORDS` or more in the sealing worker (default true); false seals on the calling thread. */
  sealInWorker?: boolean;
  /** Load sealed batches with `COPY` when the store can (default true); false uses the insert statement. */
  copy?: boolean;
};

export class VaultRecords {
  readonly #store: Store;
  /** Committed head per Vault, as last read (see `head`); forgotten around every upload commit. */
  readonly #heads = new Map<string, number>();
  #committing = 0;
  #commitGeneration = 0;
  readonly #schema: string;
  readonly #t: (name: string) => string;
  readonly #master: Uint8Array;
  readonly #saltKey: Buffer;
  readonly #limits: (vault_id: string) => VaultLimits;
  readonly #keks = new Map<string, Buffer>();
  readonly #versions = new Map<string, number>();
  readonly #pool = new RandomPool();
  /** Unwrapped subject keys by Vault and subject (a subject key never changes until it is shredded). */
  readonly #subjectKeys = new Map<string, Buffer>();
  /** Unwrapped batch and subject keys by their wrapped bytes, for reading (tampered bytes never match). */
  readonly #unwrapped = new Map<string, Buffer>();
  /** Decrypted snapshots by Vault and position (a snapshot never changes), with the records that expire. */
  readonly #snapshots = new Map<string, CachedSnapshot>();
  #cachedRows = 0;
  readonly #cacheRows: number;
  readonly #sealInWorker: boolean;
  readonly #copy: boolean;
  /** A test-only hook called with every record opened; the boundary test uses it to plant a deliberate leak. */
  static onOpen: ((vaultId: string, record: StoredRecord) => void) | undefined;

  constructor(
    store: Store,
    schema: string,
    master: Uint8Array,
    limits?: (vault_id: string) => VaultLimits,
    options: VaultRecordsOptions = {},
  ) {
    this.#cacheRows = options.snapshotCacheRows ?? SNAPSHOT_CACHE_ROWS;
    this.#sealInWorker = options.sealInWorker ?? true;
    this.#copy = (options.copy ?? true) && store.copies;
    this.#store = store;
    this.#schema = schema;
    this.#t = (n) => qualified(schema, n);
    this.#master = master;
    this.#saltKey = deriveSaltKey(master);
    this.#limits = limits ?? (() => DEFAULT_VAULT_LIMITS);
  }

  /** The schema this store writes to (its node's). */
  get schema(): string {
    return this.#schema;
  }

  /** Forgets uploads interrupted by a crash: their rows were never visible and never will be. */
  async dropInterruptedUploads(): Promise<void> {
    await this.#store.transaction(async (tx) => {
      await tx.query(
        `delete from ${this.#t('sealed_records')} where upload_no in (
           select upload_no from ${this.#t('uploads')} where state <> 'committed')`,
      );
      await tx.query(`update ${this.#t('uploads')} set state = 'aborted' where state = 'open'`);
      await tx.query(
        `delete from ${this.#t('document_chunks')} c where not exists (
           select 1 from ${this.#t('sealed_records')} r where r.vault_id = c.vault_id and r.record_id = c.record_id)`,
      );
    });
  }

  #kek(vault_id: string, version: number): Buffer {
    const key = `${vault_id}\u0000${version}`;
    let kek = this.#keks.get(key);
    if (!kek) {
      kek = deriveVaultKek(this.#master, vault_id, version);
      this.#keks.set(key, kek);
    }
    return kek;
  }

  /** The salt of a record's commitment on this node (see `recordSalt`). */
  commitmentSalt(vault_id: string, record_id: string, subject: string, fields: unknown): string {
    return recordSalt(this.#saltKey, { vaultId: vault_id, recordId: record_id, subject }, fields);
  }

  /** The current KEK version of a Vault (1 until the first rotation). */
  async keyVersion(vault_id: string): Promise<number> {
    const cached = this.#versions.get(vault_id);
    if (cached) return cached;
    const rows = await this.#store.query<{ version: number }>(
      `select version from ${this.#t('vault_keys')} where vault_id = $1`,
      [vault_id],
    );
    const version = rows[0]?.version ?? 1;
    this.#versions.set(vault_id, version);
    return version;
  }

  /**
   * The keys of `subjects` in a Vault: from memory, else unwrapped from `subject_keys` (read with
   * `query`), else new random keys (`fresh`), stored by the caller with the records sealed under
   * them and remembered once stored (`#remember`).
   */
  async #keysOf(
    vault_id: string,
    subjects: Iterable<string>,
    query: StoreTx['query'],
  ): Promise<{ keys: Map<string, Buffer>; fresh: Map<string, Buffer> }> {
    const keys = new Map<string, Buffer>();
    const missing: string[] = [];
    for (const s of subjects) {
      const k = this.#subjectKeys.get(`${vault_id}\u0000${s}`);
      if (k) keys.set(s, k);
      else missing.push(s);
    }
    const fresh = new Map<string, Buffer>();
    if (missing.length === 0) return { keys, fresh };
    if (this.#subjectKeys.size + missing.length > SUBJECT_KEY_CACHE) this.#subjectKeys.clear();
    const rows = await query<{ subject: string; kek_version: number; wrapped_key: Uint8Array }>(
      `select subject, kek_version, wrapped_key from ${this.#t('subject_keys')}
       where vault_id = $1 and subject = any($2::text[])`,
      [vault_id, missing],
    );
    for (const r of rows) {
      const k = unwrapKey(
        this.#kek(vault_id, r.kek_version),
        subjectKeyAad(vault_id, r.subject, r.kek_version),
        r.wrapped_key,
        `the key of subject ${r.subject} in ${vault_id}`,
      );
      keys.set(r.subject, k);
      this.#subjectKeys.set(`${vault_id}\u0000${r.subject}`, k);
    }
    for (const s of missing)
      if (!keys.has(s)) {
        const k = Buffer.from(this.#pool.take(32));
        keys.set(s, k);
        fresh.set(s, k);
      }
    return { keys, fresh };
  }

  /** Remembers the new subject keys of a batch once they are stored. */
  #remember(vault_id: string, batch: Prepared): void {
    for (const [s, k] of batch.fresh?.keys ?? []) this.#subjectKeys.set(`${vault_id}\u0000${s}`, k);
  }

  /**
   * Seals records (validated by the caller) into parts of rows ready to insert; checks the size
   * limit first. One fresh data key for the batch, wrapped once (shared by the rows); each record's
   * payload key is derived from it and the record's subject key. The fields are encoded here (once
   * per record); a large batch is sealed part by part in the sealing worker, so the caller inserts
   * one part while the next is sealed (`seal-worker.ts`), and the subjects' new keys are wrapped
   * there after the parts. With `copy`, the parts are binary `COPY` streams for the rows of upload
   * `upload_no`; otherwise JSON rows for an insert statement. `query` reads stored subject keys
   * (inside the batch's transaction when a batch is sealed again, see `#write`).
   */
  async #prepare(
    vault_id: string,
    records: readonly RecordInput[],
    nowMs: number,
    upload_no: number,
    copy: boolean,
    query: StoreTx['query'] = this.#store.query,
  ): Promise<Prepared> {
    const limits = this.#limits(vault_id);
    const version = await this.keyVersion(vault_id);
    const kek = this.#kek(vault_id, version);
    const expires_at = limits.retention_ms === undefined ? null : new Date(nowMs + limits.retention_ms).toISOString();
    const subjects = addCounts(
      new Map(),
      records.map((r) => [r.subject, 1] as const),
    );
    const { keys: subjectKeys, fresh } = await this.#keysOf(vault_id, subjects.keys(), query);
    const encode = (r: RecordInput, index: number) => {
      const f = canonicalString(r.fields);
      // The plaintext is `{"fields":F,"salt":"<32 hex>"}`: 53 bytes around the fields.
      const size = Buffer.byteLength(f) + 53;
      if (size > limits.max_record_bytes)
        throw new RecordRefused(
          'record_too_large',
          `record ${index}: ${size} bytes exceeds the limit of ${limits.max_record_bytes}`,
        );
      return f;
    };
    const batch = newKey(kek, batchKeyAad(vault_id, version), this.#pool);
    const format: SealFormat = copy ? 'copy' : 'json';
    const prefix = copy ? copyPrefix(upload_no, vault_id, version, batch.wrapped, expires_at) : undefined;
    const parts: Part[] = [];
    const inWorker = this.#sealInWorker && records.length >= WORKER_MIN_RECORDS;
    // Part by part: the worker seals a part while the next one's fields are encoded here. A record
    // over the size limit refuses the batch before any of it is written (sealed parts are dropped).
    for (let i = 0; i < records.length; ) {
      const end = Math.min(records.length, i + (i === 0 && inWorker ? FIRST_PART : PART));
      const part = records.slice(i, end);
      const index = new Map<string, number>();
      for (const r of part) if (!index.has(r.subject)) index.set(r.subject, index.size);
      const keys = new Uint8Array(64 + 32 * index.size);
      keys.set(this.#saltKey, 0);
      keys.set(batch.key, 32);
      for (const [subject, k] of index) keys.set(subjectKeys.get(subject)!, 64 + 32 * k);
      const job: SealJob = {
        vault_id,
        ...sealJobRecords(
          part.map((r) => r.record_id ?? contentRecordId(r.subject, r.fields)),
          part.map((r) => r.subject),
          part.map((r, j) => encode(r, i + j)),
          part.map((r) => index.get(r.subject)!),
        ),
        keys: keys.buffer,
        format,
        ...(prefix === undefined ? {} : { prefix, columns: COPY_COLUMNS.length }),
      };
      const rows = inWorker ? sealInWorker(job) : Promise.resolve(sealHere(job));
      // A part that fails after an earlier one failed (or after a refusal) is not awaited: its rejection is handled here.
      rows.catch(() => {});
      parts.push({ format, rows, count: part.length });
      i = end;
    }
    let newKeys: Prepared['fresh'];
    if (fresh.size > 0) {
      const keys = new Uint8Array(32 + 32 * fresh.size);
      keys.set(kek, 0);
      let at = 32;
      for (const k of fresh.values()) {
        keys.set(k, at);
        at += 32;
      }
      const job: WrapJob = { vault_id, version, subjects: [...fresh.keys()], keys: keys.buffer, format };
      newKeys = { keys: fresh, version, rows: inWorker ? wrapInWorker(job) : Promise.resolve(wrapHere(job)) };
      newKeys.rows.catch(() => {});
    }
    const wrapped_key = batch.wrapped.toString('base64');
    return {
      count: records.length,
      parts,
      shared: { kind: 'record', key_scheme: 2, kek_version: version, wrapped_key, expires_at },
      subjects,
      ...(newKeys ? { fresh: newKeys } : {}),
    };
  }

  /**
   * Counts an upload's rows per data producer (a record subject) into the Vault's counts, and
   * refuses the upload if that takes a producer over its quota (committed records and the
   * upload's own); returns how many rows the upload holds. Runs inside the commit, so a refusal
   * rolls the commit back and the upload stays invisible. With `counts` (the upload's new rows per
   * subject, as its inserts reported them), from those; otherwise from one scan of the upload's rows.
   */
  async #countAndCheckQuota(
    tx: StoreTx,
    vault_id: string,
    upload_no: number,
    counts: ReadonlyMap<string, number> | undefined,
  ): Promise<number> {
    const quota = this.#limits(vault_id).quota_per_subject;
    if (counts) {
      const subjects = [...counts.keys()];
      const params = [vault_id, subjects, subjects.map((s) => counts.get(s)!), quota];
      const counted = this.#t('subject_counts');
      // Counted subjects are updated, new ones inserted plainly (much cheaper than the upsert's
      // speculative insertion, one per new subject). If a concurrent writer inserted one of them
      // first, that is undone and the upsert does it instead.
      await tx.query('savepoint scs_counts');
      let over: { subject: string; n: bigint }[];
      try {
        over = await tx.query<{ subject: string; n: bigint }>(
          `with x as (select s, n from unnest($2::text[], $3::bigint[]) as x(s, n)),
           upd as (
             update ${counted} c set n = c.n + x.n from x where c.vault_id = $1 and c.subject = x.s
             returning c.subject, c.n
           ), ins as (
             insert into ${counted} (vault_id, subject, n)
             select $1, s, n from x where not exists (select 1 from ${counted} c where c.vault_id = $1 and c.subject = x.s)
             returning subject, n
           ) select subject, n from (select subject, n from upd union all select subject, n from ins) a
           where n > $4 order by subject limit 1`,
          params,
        );
        await tx.query('release savepoint scs_counts');
      } catch (error) {
        if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
        await tx.query('rollback to savepoint scs_counts');
        over = await tx.query<{ subject: string; n: bigint }>(
          `with added as (
             insert into ${counted} (vault_id, subject, n)
             select $1, s, n from unnest($2::text[], $3::bigint[]) as x(s, n)
             on conflict (vault_id, subject) do update set n = ${counted}.n + excluded.n
             returning subject, n
           ) select subject, n from added where n > $4 order by subject limit 1`,
          params,
        );
      }
      if (over[0]) throw this.#overQuota(vault_id, over[0].subject, over[0].n, quota);
      let accepted = 0;
      for (const n of counts.values()) accepted += n;
      return accepted;
    }
    const rows = await tx.query<{ accepted: bigint; subject: string | null; n: bigint | null }>(
      `with counted as (
         select subject, count(*) as n from ${this.#t('sealed_records')} where upload_no = $2 group by subject
       ), added as (
         insert into ${this.#t('subject_counts')} (vault_id, subject, n)
         select $1, subject, n from counted
         on conflict (vault_id, subject) do update set n = ${this.#t('subject_counts')}.n + excluded.n
         returning subject, n
       ), over as (select subject, n from added where n > $3 order by subject limit 1)
       select (select coalesce(sum(n), 0)::bigint from counted) as accepted, over.subject, over.n
       from (select 1) as one left join over on true`,
      [vault_id, upload_no, quota],
    );
    const o = rows[0]!;
    if (o.subject !== null) throw this.#overQuota(vault_id, o.subject, o.n!, quota);
    return Number(o.accepted);
  }

  #overQuota(vault_id: string, subject: string, n: bigint, quota: number): RecordRefused {
    return new RecordRefused(
      'quota_exceeded',
      `subject ${subject} would hold ${Number(n)} records in ${vault_id}, over the per-producer quota of ${quota}`,
    );
  }

  /**
   * Writes a prepared batch in `tx`: its rows, then its subjects' new keys. When another writer
   * stored the key of one of those subjects first, nothing of the batch is kept, and the batch is
   * sealed again (`reseal`, which reads the stored keys in `tx`) and written under the stored key.
   * Returns the new rows per subject and the batch as written, whose new keys `#remember` keeps
   * once `tx` has committed.
   */
  async #write(
    tx: StoreTx,
    vault_id: string,
    upload_no: number,
    batch: Prepared,
    reseal: (query: StoreTx['query']) => Promise<Prepared>,
  ): Promise<{ added: Map<string, number>; written: Prepared }> {
    for (let b = batch; ; b = await reseal(tx.query)) {
      const added = await this.#insertRows(tx, vault_id, upload_no, b);
      if (added) return { added, written: b };
    }
  }

  /**
   * Inserts the parts of a batch in order (each awaited only when the previous one is written),
   * then the new keys of its subjects; returns how many rows were new, per subject, or undefined
   * (and nothing written) when one of those keys was stored by another writer first. `COPY` parts
   * are loaded as they are when none of the batch's records is already stored (the usual case:
   * then every record is new); otherwise the batch's load is rolled back and done again through a
   * temporary table with the insert's duplicate rule, so duplicates are counted exactly either way.
   */
  async #insertRows(
    tx: StoreTx,
    vault_id: string,
    upload_no: number,
    batch: Prepared,
  ): Promise<Map<string, number> | undefined> {
    const { parts, shared, fresh } = batch;
    const copy = parts.length > 0 && parts.every((p) => p.format === 'copy');
    const saved = copy || fresh !== undefined;
    if (saved) await tx.query('savepoint scs_batch');
    const added = copy
      ? await this.#copyParts(tx, parts, batch.subjects)
      : await this.#insertParts(tx, vault_id, upload_no, parts, shared);
    if (fresh && !(await this.#storeKeys(tx, vault_id, fresh, copy))) {
      await tx.query('rollback to savepoint scs_batch');
      return undefined;
    }
    if (saved) await tx.query('release savepoint scs_batch');
    return added;
  }

  /**
   * Stores new subject keys, with `COPY` or the insert statement; false when another writer stored
   * one of them first (the statement's effects are then to be rolled back by the caller).
   */
  async #storeKeys(
    tx: StoreTx,
    vault_id: string,
    fresh: NonNullable<Prepared['fresh']>,
    copy: boolean,
  ): Promise<boolean> {
    const rows = await fresh.rows;
    if (copy)
      try {
        await tx.copyFrom!(this.#t('subject_keys'), SUBJECT_KEY_COLUMNS, rows, 'binary');
        return true;
      } catch (error) {
        if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
        return false;
      }
    const stored = await tx.query<{ n: bigint }>(
      `with ins as (
         insert into ${this.#t('subject_keys')} (vault_id, subject, kek_version, wrapped_key)
         select $1, subject, $2, decode(wrapped, 'base64') from json_to_recordset($3::json) as x(subject text, wrapped text)
         on conflict do nothing returning 1
       ) select count(*)::bigint as n from ins`,
      [vault_id, fresh.version, Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength).toString('utf8')],
    );
    return Number(stored[0]?.n ?? 0n) === fresh.keys.size;
  }

  /** Inserts JSON parts with the insert statement (duplicates skipped); returns the new rows per subject. */
  async #insertParts(
    tx: StoreTx,
    vault_id: string,
    upload_no: number,
    parts: readonly Part[],
    shared: Shared,
  ): Promise<Map<string, number>> {
    const added = new Map<string, number>();
    for (const part of parts) {
      const rows = await part.rows;
      const inserted = await tx.query<{ subject: string; n: bigint }>(
        `with ins as (
           insert into ${this.#t('sealed_records')} (upload_no, vault_id, record_id, subject, kind, key_scheme,
             kek_version, wrapped_key, ciphertext, commitment, size_bytes, expires_at)
           select $3, $1, record_id, subject, $4, $5, $6, decode($7, 'base64'), decode(ciphertext, 'base64'),
             commitment, size_bytes, $8::timestamptz
           from json_to_recordset($2::json) as x(record_id text, subject text, ciphertext text, commitment text, size_bytes integer)
           on conflict (vault_id, record_id) do nothing returning subject
         ) select subject, count(*)::bigint as n from ins group by subject`,
        [
          vault_id,
          Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength).toString('utf8'),
          upload_no,
          shared.kind,
          shared.key_scheme,
          shared.kek_version,
          shared.wrapped_key,
          shared.expires_at,
        ],
      );
      addCounts(added, countRows(inserted));
    }
    return added;
  }

  /** Loads the `COPY` parts of one batch, under savepoint `scs_batch` (see `#insertRows`); returns the new rows per subject. */
  async #copyParts(
    tx: StoreTx,
    parts: readonly Part[],
    sent: ReadonlyMap<string, number>,
  ): Promise<Map<string, number>> {
    const copyFrom = tx.copyFrom!;
    try {
      for (const part of parts) await copyFrom(this.#t('sealed_records'), COPY_COLUMNS, await part.rows, 'binary');
      return new Map(sent);
    } catch (error) {
      if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
    }
    await tx.query('rollback to savepoint scs_batch');
    await tx.query(
      `create temp table if not exists scs_sealed_copy (n serial, upload_no bigint, vault_id text, kind text,
         key_scheme smallint, kek_version integer, wrapped_key bytea, expires_at timestamptz, record_id text,
         subject text, ciphertext bytea, commitment text, size_bytes integer) on commit drop`,
    );
    for (const part of parts) await copyFrom('scs_sealed_copy', COPY_COLUMNS, await part.rows, 'binary');
    const columns = COPY_COLUMNS.join(', ');
    const inserted = await tx.query<{ subject: string; n: bigint }>(
      `with ins as (
         insert into ${this.#t('sealed_records')} (${columns})
         select ${columns} from scs_sealed_copy order by n
         on conflict (vault_id, record_id) do nothing returning subject
       ) select subject, count(*)::bigint as n from ins group by subject`,
    );
    await tx.query('truncate scs_sealed_copy');
    return addCounts(new Map(), countRows(inserted));
  }

  /**
   * Commits an upload of `sent` records (after the quota check); returns how many were new and how
   * many were duplicates. `counts`: its new rows per subject when known (see `#countAndCheckQuota`).
   */
  async #commit(
    tx: StoreTx,
    vault_id: string,
    upload_no: number,
    sent: number,
    counts: ReadonlyMap<string, number> | undefined,
  ): Promise<{ accepted: number; duplicates: number }> {
    const accepted = await this.#countAndCheckQuota(tx, vault_id, upload_no, counts);
    const duplicates = Math.max(0, sent - accepted);
    await tx.query(
      `update ${this.#t('uploads')} set state = 'committed', commit_seq = nextval('${this.#t('commit_positions')}'),
         accepted = $2, duplicates = $3 where upload_no = $1`,
      [upload_no, accepted, duplicates],
    );
    return { accepted, duplicates };
  }

  /** Seals and inserts records as one upload in one transaction; returns how many were new and how many were duplicates. */
  async insert(
    vault_id: string,
    records: readonly RecordInput[],
    nowMs = Date.now(),
  ): Promise<{ accepted: number; duplicates: number }> {
    // The upload's number first: the sealed parts carry it.
    const n = await this.#store.query<{ upload_no: bigint }>(
      `select nextval(pg_get_serial_sequence('${this.#t('uploads')}', 'upload_no')) as upload_no`,
    );
    const upload_no = Number(n[0]!.upload_no);
    const prepare = (query?: StoreTx['query']) => this.#prepare(vault_id, records, nowMs, upload_no, this.#copy, query);
    const batch = await prepare();
    const { written, ...result } = await this.#committingUpload(() =>
      this.#store.transaction(async (tx) => {
        await tx.query(
          `insert into ${this.#t('uploads')} (upload_no, upload_id, vault_id, state) values ($1, $2, $3, 'open')`,
          [upload_no, `upl_direct-${bytesToHex(this.#pool.take(12))}`, vault_id],
        );
        const { added, written } = await this.#write(tx, vault_id, upload_no, batch, prepare);
        return { written, ...(await this.#commit(tx, vault_id, upload_no, batch.count, added)) };
      }),
    );
    this.#remember(vault_id, written);
    return result;
  }

  /** Opens an upload into a Vault: its rows stay invisible until `commitUpload`. */
  async beginUpload(vault_id: string, upload_id: string): Promise<void> {
    const created = await this.#store.query<{ upload_no: bigint }>(
      `insert into ${this.#t('uploads')} (upload_id, vault_id, state) values ($1, $2, 'open')
       on conflict (upload_id) do nothing returning upload_no`,
      [upload_id, vault_id],
    );
    // A new upload holds no rows yet: this instance counts all it stages.
    if (created[0])
      this.#open.set(upload_id, {
        vault_id,
        upload_no: Number(created[0].upload_no),
        sent: 0,
        counts: new Map(),
        staging: 0,
      });
  }

  /** The Vault of an open upload; rejects with `upload_not_open`. */
  async uploadVault(upload_id: string): Promise<string> {
    return (await this.#openUpload(upload_id)).vault_id;
  }

  /** Deletes the chunks of a document that never committed (its upload was refused or aborted). */
  async dropChunks(vault_id: string, record_id: string): Promise<void> {
    await this.#store.query(
      `delete from ${this.#t('document_chunks')} c where vault_id = $1 and record_id = $2 and not exists (
         select 1 from ${this.#t('sealed_records')} r where r.vault_id = c.vault_id and r.record_id = c.record_id)`,
      [vault_id, record_id],
    );
  }

  readonly #open = new Map<string, OpenUpload>();

  async #openUpload(upload_id: string): Promise<OpenUpload> {
    const known = this.#open.get(upload_id);
    if (known) return known;
    const rows = await this.#store.query<{ vault_id: string; state: string; upload_no: bigint }>(
      `select vault_id, state, upload_no from ${this.#t('uploads')} where upload_id = $1`,
      [upload_id],
    );
    const u = rows[0];
    if (u?.state !== 'open') throw new PortError('upload_not_open', `upload ${upload_id} is not open`);
    // Opened elsewhere (or before a restart): rows may be staged already, so the commit counts them.
    const open = { vault_id: u.vault_id, upload_no: Number(u.upload_no), sent: 0, counts: undefined, staging: 0 };
    this.#open.set(upload_id, open);
    return open;
  }

  /**
   * Writes the sealed rows of a batch of an open upload in one transaction and adds them to the
   * upload's counts; if the outcome is not known for sure (the transaction failed, possibly after
   * committing), the upload's counts become unknown and its commit counts its rows in the store.
   */
  async #stage(
    u: OpenUpload,
    batch: Prepared,
    reseal: (query: StoreTx['query']) => Promise<Prepared>,
  ): Promise<number> {
    u.staging++;
    try {
      const { added, written } = await this.#store.transaction((tx) =>
        this.#write(tx, u.vault_id, u.upload_no, batch, reseal),
      );
      this.#remember(u.vault_id, written);
      if (u.counts) addCounts(u.counts, added);
      let n = 0;
      for (const k of added.values()) n += k;
      return n;
    } catch (error) {
      u.counts = undefined;
      throw error;
    } finally {
      u.staging--;
    }
  }

  /** Seals one batch of an upload and writes it, invisible until `commitUpload`; returns the new rows. */
  async stageBatch(upload_id: string, records: readonly RecordInput[], nowMs = Date.now()): Promise<number> {
    const u = await this.#openUpload(upload_id);
    const prepare = (query?: StoreTx['query']) =>
      this.#prepare(u.vault_id, records, nowMs, u.upload_no, this.#copy, query);
    const batch = await prepare();
    u.sent += batch.count;
    return this.#stage(u, batch, prepare);
  }

  /** Writes one already sealed row of an upload (a document's metadata record). */
  async stageSealed(upload_id: string, row: SealedDocumentRow) {
    const u = await this.#openUpload(upload_id);
    const prepared = new TextEncoder().encode(
      JSON.stringify([
        {
          record_id: row.record_id,
          subject: row.subject,
          ciphertext: row.ciphertext.toString('base64'),
          commitment: row.commitment,
          size_bytes: row.size_bytes,
        },
      ]),
    );
    const shared: Shared = {
      kind: row.kind,
      key_scheme: 1,
      kek_version: row.kek_version,
      wrapped_key: row.wrapped_key.toString('base64'),
      expires_at: row.expires_at,
    };
    u.sent += 1;
    // The row's key is its own data key: the batch has no new subject key, so it is never sealed again.
    const batch: Prepared = {
      count: 1,
      parts: [{ format: 'json', rows: Promise.resolve(prepared), count: 1 }],
      shared,
      subjects: new Map([[row.subject, 1]]),
    };
    await this.#stage(u, batch, async () => batch);
  }

  /** Writes one sealed document chunk (unreadable until its record is committed). */
  async putChunk(vault_id: string, record_id: string, idx: number, ciphertext: Buffer): Promise<void> {
    await this.#store.query(
      `insert into ${this.#t('document_chunks')} (vault_id, record_id, idx, ciphertext) values ($1, $2, $3, $4)
       on conflict do nothing`,
      [vault_id, record_id, idx, ciphertext],
    );
  }

  /** A document's sealed chunks in order. */
  async chunks(vault_id: string, record_id: string): Promise<Uint8Array[]> {
    const rows = await this.#store.query<{ ciphertext: Uint8Array }>(
      `select ciphertext from ${this.#t('document_chunks')} where vault_id = $1 and record_id = $2 order by idx`,
      [vault_id, record_id],
    );
    return rows.map((r) => r.ciphertext);
  }

  /** Makes a whole upload visible in one transaction (after the quota check); an upload commits at most once. */
  async commitUpload(upload_id: string): Promise<{ vault_id: string; accepted: number; duplicates: number }> {
    const open = this.#open.get(upload_id);
    const sent = open?.sent ?? 0;
    // The counts stand for the upload's rows only when no batch of it is being written meanwhile.
    const counts = open && open.staging === 0 ? open.counts : undefined;
    const result = await this.#committingUpload(() =>
      this.#store.transaction(async (tx) => {
        const u = (
          await tx.query<{ vault_id: string; state: string; upload_no: bigint; accepted: number; duplicates: number }>(
            `select vault_id, state, upload_no, accepted, duplicates from ${this.#t('uploads')} where upload_id = $1 for update`,
            [upload_id],
          )
        )[0];
        if (!u) throw new PortError('upload_not_open', `upload ${upload_id} is not open`);
        if (u.state === 'committed') return { vault_id: u.vault_id, accepted: u.accepted, duplicates: u.duplicates };
        if (u.state !== 'open') throw new PortError('upload_not_open', `upload ${upload_id} is ${u.state}`);
        return { vault_id: u.vault_id, ...(await this.#commit(tx, u.vault_id, Number(u.upload_no), sent, counts)) };
      }),
    );
    this.#open.delete(upload_id);
    return result;
  }

  /** Abandons an upload: its rows are deleted and nothing of it becomes visible. */
  async abortUpload(upload_id: string): Promise<void> {
    this.#open.delete(upload_id);
    await this.#store.transaction(async (tx) => {
      const u = await tx.query<{ upload_no: bigint }>(
        `update ${this.#t('uploads')} set state = 'aborted' where upload_id = $1 and state = 'open' returning upload_no`,
        [upload_id],
      );
      if (u[0])
        await tx.query(`delete from ${this.#t('sealed_records')} where upload_no = $1`, [Number(u[0].upload_no)]);
    });
  }

  /** The latest snapshot position of a Vault (its last commit position; 0 when nothing committed). */
  async head(vault_id: string): Promise<number> {
    const cached = this.#heads.get(vault_id);
    if (cached !== undefined) return cached;
    const generation = this.#commitGeneration;
    const rows = await this.#store.query<{ seq: bigint | null }>(
      `select max(commit_seq)::bigint as seq from ${this.#t('uploads')} where vault_id = $1 and state = 'committed'`,
      [vault_id],
    );
    const head = Number(rows[0]?.seq ?? 0n);
    // Remembered only if no commit began or ended while it was read (it could then be stale).
    if (this.#committing === 0 && generation === this.#commitGeneration) this.#heads.set(vault_id, head);
    return head;
  }

  /**
   * Runs an upload's commit transaction: the heads this instance remembers are forgotten when it
   * starts and again when it ends (committed or not), so `head` never answers a stale position.
   */
  async #committingUpload<T>(fn: () => Promise<T>): Promise<T> {
    this.#committing++;
    this.#commitGeneration++;
    this.#heads.clear();
    try {
      return await fn();
    } finally {
      this.#committing--;
      this.#commitGeneration++;
      this.#heads.clear();
    }
  }

  /** How many records a Vault holds (committed uploads only). */
  async count(vault_id: string): Promise<number> {
    return (await this.stats(vault_id)).record_count;
  }

  /** Record count and stored bytes of a Vault (committed uploads only). */
  async stats(vault_id: string): Promise<{ record_count: number; size_bytes: number }> {
    const rows = await this.#store.query<{ n: bigint; bytes: bigint | null }>(
      `select count(*)::bigint as n, sum(octet_length(r.ciphertext))::bigint as bytes
       from ${this.#t('sealed_records')} r join ${this.#t('uploads')} u on u.upload_no = r.upload_no
       where r.vault_id = $1 and u.state = 'committed'`,
      [vault_id],
    );
    const chunkBytes = await this.#store.query<{ bytes: bigint | null }>(
      `select sum(octet_length(ciphertext))::bigint as bytes from ${this.#t('document_chunks')} c where vault_id = $1
       and exists (select 1 from ${this.#t('sealed_records')} r join ${this.#t('uploads')} u on u.upload_no = r.upload_no
                   where r.vault_id = c.vault_id and r.record_id = c.record_id and u.state = 'committed')`,
      [vault_id],
    );
    return {
      record_count: Number(rows[0]?.n ?? 0n),
      size_bytes: Number(rows[0]?.bytes ?? 0n) + Number(chunkBytes[0]?.bytes ?? 0n),
    };
  }

  async counts(): Promise<Map<string, number>> {
    const rows = await this.#store.query<{ vault_id: string; n: bigint }>(
      `select r.vault_id, count(*)::bigint as n
       from ${this.#t('sealed_records')} r join ${this.#t('uploads')} u on u.upload_no = r.upload_no
       where u.state = 'committed' group by r.vault_id`,
    );
    return new Map(rows.map((r) => [r.vault_id, Number(r.n)]));
  }

  /**
   * Sealed rows of a Vault's snapshot (uploads committed at or before `as_of_seq`, and after
   * `after_seq`) in commit then insert order, `CHUNK` at a time (no plaintext).
   */
  async *sealedRows(vault_id: string, as_of_seq: number, after_seq = 0): AsyncGenerator<SealedRow[]> {
    const uploads = await this.#store.query<{ upload_no: bigint }>(
      `select upload_no from ${this.#t('uploads')}
       where vault_id = $1 and state = 'committed' and commit_seq <= $2 and commit_seq > $3 order by commit_seq`,
      [vault_id, as_of_seq, after_seq],
    );
    for (const { upload_no } of uploads) {
      let after = 0;
      for (;;) {
        const rows = await this.#store.query<{
          seq: bigint;
          record_id: string;
          subject: string;
          kind: 'record' | 'document';
          key_scheme: KeyScheme;
          kek_version: number;
          wrapped_key: Uint8Array | null;
          subject_key: Uint8Array | null;
          subject_kek_version: number | null;
          ciphertext: Uint8Array;
          commitment: string;
          expires_at: Date | null;
        }>(
          `select r.seq, r.record_id, r.subject, r.kind, r.key_scheme, r.kek_version, r.wrapped_key,
             k.wrapped_key as subject_key, k.kek_version as subject_kek_version, r.ciphertext, r.commitment, r.expires_at
           from ${this.#t('sealed_records')} r
           left join ${this.#t('subject_keys')} k on r.key_scheme = 2 and k.vault_id = r.vault_id and k.subject = r.subject
           where r.upload_no = $1 and r.seq > $2 order by r.seq limit ${CHUNK}`,
          [Number(upload_no), after],
        );
        if (rows.length === 0) break;
        yield rows.map((r) => ({
          ...r,
          seq: Number(r.seq),
          expires_at_ms: r.expires_at ? r.expires_at.getTime() : null,
        }));
        if (rows.length < CHUNK) break;
        after = Number(rows[rows.length - 1]!.seq);
      }
    }
  }

  /** A batch or subject key unwrapped, remembered by its wrapped bytes (bounded). */
  #unwrap(kek: Buffer, aad: Uint8Array, wrapped: Uint8Array, what: string): Buffer {
    const id = `${Buffer.from(wrapped).toString('base64')}\u0000${aad.toString()}`;
    let key = this.#unwrapped.get(id);
    if (!key) {
      key = unwrapKey(kek, aad, wrapped, what);
      if (this.#unwrapped.size >= SUBJECT_KEY_CACHE) this.#unwrapped.clear();
      this.#unwrapped.set(id, key);
    }
    return key;
  }

  /** The plaintext of a sealed row, by its key scheme; tampering or shredding throws. */
  #openPlain(vault_id: string, row: SealedRow): Buffer {
    const ids = { vaultId: vault_id, recordId: row.record_id, subject: row.subject };
    if (row.key_scheme !== 2) return openRecord(this.#kek(vault_id, row.kek_version), row.kek_version, ids, row);
    if (row.wrapped_key === null)
      throw new VaultCryptoError('record_shredded', `record ${row.record_id} was crypto-shredded; it cannot be read`);
    const batchKey = this.#unwrap(
      this.#kek(vault_id, row.kek_version),
      batchKeyAad(vault_id, row.kek_version),
      row.wrapped_key,
      `the batch key of record ${row.record_id} in ${vault_id}`,
    );
    // A live record whose subject has no key had its subject (or the key) changed.
    if (row.subject_key === null || row.subject_kek_version === null)
      throw new VaultCryptoError('record_tampered', `record ${row.record_id} in ${vault_id} has no subject key`);
    const subjectKey = this.#unwrap(
      this.#kek(vault_id, row.subject_kek_version),
      subjectKeyAad(vault_id, row.subject, row.subject_kek_version),
      row.subject_key,
      `the subject key of record ${row.record_id} in ${vault_id}`,
    );
    return openPayload(recordKey(subjectKey, batchKey), ids, row.ciphertext);
  }

  /** Opens one sealed record; tampering or shredding throws a `VaultCryptoError`. */
  openRow(vault_id: string, row: SealedRow): StoredRecord {
    const plain = this.#openPlain(vault_id, row);
    const payload = JSON.parse(plain.toString('utf8')) as { fields: Record<string, unknown> };
    const record = {
      seq: row.seq,
      record_id: row.record_id,
      subject: row.subject,
      fields: payload.fields,
      commitment: row.commitment,
    };
    VaultRecords.onOpen?.(vault_id, record);
    return record;
  }

  /** A document's data key, unwrapped (for reading its chunks). */
  documentKek(vault_id: string, version: number): Buffer {
    return this.#kek(vault_id, version);
  }

  /**
   * Every readable record of a Vault up to a snapshot position, in ingest order, decrypted. Only
   * the materializer calls this. Crypto-shredded records, documents and records expired at
   * `asOfMs` are left out; a tampered record throws. A snapshot of sealed rows never changes, so
   * recent ones are served from memory, and a later one decrypts only the uploads committed since
   * the latest one in memory (shredding and purging empty the memory).
   */
  async snapshot(vault_id: string, as_of_seq: number, asOfMs?: number): Promise<readonly StoredRecord[]> {
    // A position past the head reads the head (and is remembered as it, so later commits are not missed).
    const at = Math.min(as_of_seq, await this.head(vault_id));
    const key = `${vault_id}\u0000${at}`;
    let cached = this.#snapshots.get(key);
    if (!cached) {
      // A later snapshot is an earlier one plus the uploads committed since: only those are decrypted.
      const base = this.#latestCachedBefore(vault_id, at);
      cached = {
        vault_id,
        as_of_seq: at,
        records: base ? [...base.records] : [],
        expiring: base ? [...base.expiring] : [],
      };
      for await (const rows of this.sealedRows(vault_id, at, base?.as_of_seq ?? 0)) {
        for (const row of rows) {
          if (row.kind !== 'record' || row.wrapped_key === null) continue;
          const record = this.openRow(vault_id, row);
          cached.records.push(record);
          if (row.expires_at_ms !== null) cached.expiring.push({ record, expires_at_ms: row.expires_at_ms });
        }
      }
      // Make room: earlier snapshots of this Vault first (the new one supersedes them), then the oldest.
      const superseded = [...this.#snapshots].filter(([, v]) => v.vault_id === vault_id && v.as_of_seq < at);
      for (const [k, v] of [...superseded, ...this.#snapshots]) {
        if (this.#cachedRows + cached.records.length <= this.#cacheRows) break;
        if (this.#snapshots.delete(k)) this.#cachedRows -= v.records.length;
      }
      if (cached.records.length <= this.#cacheRows) {
        this.#snapshots.set(key, cached);
        this.#cachedRows += cached.records.length;
      }
    }
    // The same array whenever nothing has expired by `asOfMs`, so work done on a snapshot is reused.
    if (asOfMs === undefined) return cached.records;
    const expired = new Set(cached.expiring.filter((e) => e.expires_at_ms <= asOfMs).map((e) => e.record));
    return expired.size === 0 ? cached.records : cached.records.filter((r) => !expired.has(r));
  }

  /** The cached snapshot of a Vault with the highest position below `as_of_seq`, if any. */
  #latestCachedBefore(vault_id: string, as_of_seq: number): CachedSnapshot | undefined {
    let best: CachedSnapshot | undefined;
    for (const c of this.#snapshots.values())
      if (c.vault_id === vault_id && c.as_of_seq < as_of_seq && (!best || c.as_of_seq > best.as_of_seq)) best = c;
    return best;
  }

  /** The commitments of a Vault up to a position, in ingest order (shredded records keep theirs). */
  async commitments(vault_id: string, as_of_seq: number): Promise<string[]> {
    const out: string[] = [];
    for await (const rows of this.sealedRows(vault_id, as_of_seq)) for (const r of rows) out.push(r.commitment);
    return out;
  }

  /**
   * Rotates a Vault's KEK: new records use version n+1 at once, then every wrapped data key (a
   * record's or its batch's) and every subject key is re-wrapped under it, `CHUNK` rows per
   * transaction; payloads are not re-encrypted. Safe to interrupt and run again: each row names
   * the version that wraps it.
   */
  async rotateKey(vault_id: string): Promise<{ version: number; rewrapped: number; subject_keys: number }> {
    const version = (await this.keyVersion(vault_id)) + 1;
    await this.#store.query(
      `insert into ${this.#t('vault_keys')} (vault_id, version) values ($1, $2)
       on conflict (vault_id) do update set version = excluded.version`,
      [vault_id, version],
    );
    this.#versions.set(vault_id, version);
    const to = { kek: this.#kek(vault_id, version), version };
    let rewrapped = 0;
    for (;;) {
      const n = await this.#store.transaction(async (tx) => {
        const rows = await tx.query<{
          seq: bigint;
          record_id: string;
          key_scheme: KeyScheme;
          kek_version: number;
          wrapped_key: Uint8Array;
        }>(
          `select seq, record_id, key_scheme, kek_version, wrapped_key from ${this.#t('sealed_records')}
           where vault_id = $1 and kek_version < $2 and wrapped_key is not null order by seq limit ${CHUNK}`,
          [vault_id, version],
        );
        // Rows of one batch share a wrapped batch key: each distinct one is re-wrapped once.
        const batches = new Map<string, string>();
        const updates = rows.map((r) => {
          const from = { kek: this.#kek(vault_id, r.kek_version), version: r.kek_version };
          if (r.key_scheme !== 2)
            return {
              seq: Number(r.seq),
              wrapped_key: rewrapDataKey(
                from,
                to,
                { vaultId: vault_id, recordId: r.record_id },
                r.wrapped_key,
                this.#pool,
              )!.toString('base64'),
            };
          const old = Buffer.from(r.wrapped_key).toString('base64');
          let wrapped_key = batches.get(old);
          if (wrapped_key === undefined) {
            wrapped_key = rewrapKey(
              { kek: from.kek, aad: batchKeyAad(vault_id, r.kek_version) },
              { kek: to.kek, aad: batchKeyAad(vault_id, version) },
              r.wrapped_key,
              `the batch key of record ${r.record_id} in ${vault_id}`,
              this.#pool,
            ).toString('base64');
            batches.set(old, wrapped_key);
          }
          return { seq: Number(r.seq), wrapped_key };
        });
        if (updates.length > 0)
          await tx.query(
            `update ${this.#t('sealed_records')} s set wrapped_key = decode(u.wrapped_key, 'base64'), kek_version = $2
             from jsonb_to_recordset($1::jsonb) as u(seq bigint, wrapped_key text) where s.seq = u.seq`,
            [JSON.stringify(updates), version],
          );
        return updates.length;
      });
      rewrapped += n;
      if (n === 0) break;
    }
    const subject_keys = await this.#rewrapSubjectKeys(vault_id, to);
    await this.audit(vault_id, 'key_rotated', { version, rewrapped, subject_keys });
    return { version, rewrapped, subject_keys };
  }

  /** Re-wraps every subject key of a Vault under `to`, `CHUNK` per transaction; returns how many. */
  async #rewrapSubjectKeys(vault_id: string, to: { kek: Buffer; version: number }): Promise<number> {
    let rewrapped = 0;
    for (;;) {
      const n = await this.#store.transaction(async (tx) => {
        const rows = await tx.query<{ subject: string; kek_version: number; wrapped_key: Uint8Array }>(
          `select subject, kek_version, wrapped_key from ${this.#t('subject_keys')}
           where vault_id = $1 and kek_version < $2 order by subject limit ${CHUNK}`,
          [vault_id, to.version],
        );
        const updates = rows.map((r) => ({
          subject: r.subject,
          wrapped_key: rewrapKey(
            { kek: this.#kek(vault_id, r.kek_version), aad: subjectKeyAad(vault_id, r.subject, r.kek_version) },
            { kek: to.kek, aad: subjectKeyAad(vault_id, r.subject, to.version) },
            r.wrapped_key,
            `the key of subject ${r.subject} in ${vault_id}`,
            this.#pool,
          ).toString('base64'),
        }));
        if (updates.length > 0)
          await tx.query(
            `update ${this.#t('subject_keys')} k set wrapped_key = decode(u.wrapped_key, 'base64'), kek_version = $3
             from jsonb_to_recordset($2::jsonb) as u(subject text, wrapped_key text)
             where k.vault_id = $1 and k.subject = u.subject`,
            [vault_id, JSON.stringify(updates), to.version],
          );
        return updates.length;
      });
      rewrapped += n;
      if (n === 0) return rewrapped;
    }
  }

  /**
   * Crypto-shreds a subject: deletes its subject key (without which no payload key of its batch
   * sealed records can be derived), the wrapped data keys of all its records (and the chunks of
   * its documents) in one transaction, and writes an audit event. Records it sends later get a
   * new subject key. The ciphertexts and the
   * commitments stay, unreadable; the materializer skips them from then on.
   */
  async shredSubject(vault_id: string, subject: string): Promise<{ shredded: number }> {
    const shredded = await this.#store.transaction(async (tx) => {
      const rows = await tx.query<{ n: bigint }>(
        `with s as (
           update ${this.#t('sealed_records')} set wrapped_key = null
           where vault_id = $1 and subject = $2 and wrapped_key is not null returning record_id
         ), c as (
           delete from ${this.#t('document_chunks')} where vault_id = $1 and record_id in (select record_id from s)
         ), k as (
           delete from ${this.#t('subject_keys')} where vault_id = $1 and subject = $2
         ) select count(*)::bigint as n from s`,
        [vault_id, subject],
      );
      const n = Number(rows[0]?.n ?? 0n);
      await tx.query(
        `insert into ${this.#t('vault_audit')} (vault_id, kind, detail) values ($1, 'subject_shredded', $2::jsonb)`,
        [vault_id, JSON.stringify({ subject, records: n })],
      );
      return n;
    });
    this.#subjectKeys.delete(`${vault_id}\u0000${subject}`);
    this.#unwrapped.clear();
    this.#snapshots.clear();
    this.#cachedRows = 0;
    return { shredded };
  }

  /** Deletes records whose retention ended at `nowMs`, with an audit event; returns how many. */
  async purgeExpired(vault_id: string, nowMs: number): Promise<number> {
    const n = await this.#store.transaction(async (tx) => {
      const rows = await tx.query<{ n: bigint }>(
        `with d as (
           delete from ${this.#t('sealed_records')} where vault_id = $1 and expires_at <= $2 returning record_id, subject
         ), c as (
           delete from ${this.#t('document_chunks')} where vault_id = $1 and record_id in (select record_id from d)
         ), s as (
           update ${this.#t('subject_counts')} sc set n = sc.n - g.k
           from (select subject, count(*) as k from d group by subject) g
           where sc.vault_id = $1 and sc.subject = g.subject
         ) select count(*)::bigint as n from d`,
        [vault_id, new Date(nowMs).toISOString()],
      );
      const deleted = Number(rows[0]?.n ?? 0n);
      if (deleted > 0)
        await tx.query(
          `insert into ${this.#t('vault_audit')} (vault_id, kind, detail) values ($1, 'records_expired', $2::jsonb)`,
          [vault_id, JSON.stringify({ records: deleted })],
        );
      return deleted;
    });
    if (n > 0) {
      this.#snapshots.clear();
      this.#cachedRows = 0;
    }
    return n;
  }

  /** Appends an audit event of this node (ids and counts only). */
  async audit(vault_id: string, kind: string, detail: Record<string, unknown>): Promise<void> {
    await this.#store.query(
      `insert into ${this.#t('vault_audit')} (vault_id, kind, detail) values ($1, $2, $3::jsonb)`,
      [vault_id, kind, JSON.stringify(detail)],
    );
  }

  /** The audit events of a Vault, oldest first. */
  async auditEvents(vault_id: string): Promise<{ kind: string; detail: Record<string, unknown> }[]> {
    return this.#store.query(`select kind, detail from ${this.#t('vault_audit')} where vault_id = $1 order by id`, [
      vault_id,
    ]);
  }

  /** Remembers the snapshot root published for an epoch. */
  async recordSnapshot(vault_id: string, epoch_id: number, record_count: number, root: string): Promise<void> {
    await this.#store.query(
      `insert into ${this.#t('vault_snapshots')} (vault_id, epoch_id, record_count, commitments_root)
       values ($1, $2, $3, $4) on conflict do nothing`,
      [vault_id, epoch_id, record_count, root],
    );
  }

  /** The last snapshot root this node computed for a Vault. */
  async lastSnapshot(
    vault_id: string,
  ): Promise<{ epoch_id: number; record_count: number; commitments_root: string } | undefined> {
    const rows = await this.#store.query<{ epoch_id: number; record_count: number; commitments_root: string }>(
      `select epoch_id, record_count, commitments_root from ${this.#t('vault_snapshots')}
       where vault_id = $1 order by epoch_id desc limit 1`,
      [vault_id],
    );
    return rows[0];
  }
}

export { VaultCryptoError };
