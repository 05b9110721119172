/**
 * The binary documents of a Vault (receipt images, PDFs) and the attributes Parse derived from
 * them, in this node's own tables. A minimal store, kept apart from the record store, for Parse
 * to read from; the encrypted data plane's document store replaces it and feeds Parse through the
 * same `VaultDocumentSource` shape. Plaintext bytes and parsed fields never leave this node.
 */
import { sha256Hex } from '@symphony/protocol';
import type { Migration, Store } from '../ports/store.ts';
import { qualified } from './sql-names.ts';

/** A stored document as Parse needs it. */
export type StoredDocument = {
  seq: number;
  document_id: string;
  subject: string;
  media_type: string;
  bytes: Uint8Array;
  sha256: string;
};

/** Where Parse reads documents: by Vault and document id. */
export type VaultDocumentSource = {
  document(vault_id: string, document_id: string): Promise<StoredDocument | undefined>;
};

/** A document to store. */
export type DocumentInput = { document_id: string; subject: string; media_type: string; bytes: Uint8Array };

/** The attributes Parse derived from one document, linked to it and to the record they became. */
export type ParsedDocument = {
  document_id: string;
  parsed_record_id: string;
  document_commitment: string;
  semantic_version: string;
  code_hash: string;
  output_hash: string;
  fields: Record<string, unknown>;
};

export function vaultDocumentMigrations(schema: string): Migration[] {
  const documents = qualified(schema, 'documents');
  const parsed = qualified(schema, 'parsed_documents');
  return [
    {
      id: `${schema}/0003-documents`,
      sql: `create table ${documents} (
          seq bigserial primary key,
          vault_id text not null,
          document_id text not null,
          subject text not null,
          media_type text not null,
          bytes bytea not null,
          sha256 text not null,
          ingested_at timestamptz not null default now(),
          unique (vault_id, document_id)
        );
        create table ${parsed} (
          vault_id text not null,
          parsed_record_id text not null,
          document_id text not null,
          document_commitment text not null,
          semantic_version text not null,
          code_hash text not null,
          output_hash text not null,
          fields jsonb not null,
          parsed_at timestamptz not null default now(),
          primary key (vault_id, parsed_record_id)
        );
        create index on ${parsed} (vault_id, document_id);`,
    },
  ];
}

export class VaultDocuments implements VaultDocumentSource {
  readonly #store: Store;
  readonly #documents: string;
  readonly #parsed: string;

  constructor(store: Store, schema: string) {
    this.#store = store;
    this.#documents = qualified(schema, 'documents');
    this.#parsed = qualified(schema, 'parsed_documents');
  }

  /** Stores a document once per id; a second put with the same id changes nothing. */
  async put(vault_id: string, doc: DocumentInput): Promise<{ stored: boolean; sha256: string }> {
    const sha256 = sha256Hex(doc.bytes);
    const rows = await this.#store.query(
      `insert into ${this.#documents} (vault_id, document_id, subject, media_type, bytes, sha256)
       values ($1, $2, $3, $4, $5, $6) on conflict (vault_id, document_id) do nothing returning seq`,
      [vault_id, doc.document_id, doc.subject, doc.media_type, doc.bytes, sha256],
    );
    return { stored: rows.length === 1, sha256 };
  }

  async document(vault_id: string, document_id: string): Promise<StoredDocument | undefined> {
    const rows = await this.#store.query<Omit<StoredDocument, 'seq'> & { seq: bigint }>(
      `select seq, document_id, subject, media_type, bytes, sha256 from ${this.#documents}
       where vault_id = $1 and document_id = $2`,
      [vault_id, document_id],
    );
    const row = rows[0];
    return row ? { ...row, seq: Number(row.seq), bytes: new Uint8Array(row.bytes) } : undefined;
  }

  /** Records what Parse derived from a document (idempotent: the same parse twice is one row). */
  async putParsed(vault_id: string, parsed: ParsedDocument): Promise<void> {
    await this.#store.query(
      `insert into ${this.#parsed}
         (vault_id, parsed_record_id, document_id, document_commitment, semantic_version, code_hash, output_hash, fields)
       values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) on conflict (vault_id, parsed_record_id) do nothing`,
      [
        vault_id,
        parsed.parsed_record_id,
        parsed.document_id,
        parsed.document_commitment,
        parsed.semantic_version,
        parsed.code_hash,
        parsed.output_hash,
        JSON.stringify(parsed.fields),
      ],
    );
  }

  /** Everything parsed from one document, oldest first. */
  async parsedOf(vault_id: string, document_id: string): Promise<ParsedDocument[]> {
    return this.#store.query<ParsedDocument>(
      `select document_id, parsed_record_id, document_commitment, semantic_version, code_hash, output_hash, fields
       from ${this.#parsed} where vault_id = $1 and document_id = $2 order by parsed_at, parsed_record_id`,
      [vault_id, document_id],
    );
  }
}
