/**
 * What Parse reads and writes beside the sealed record store: the shape of a document it reads
 * (`VaultDocumentSource`, served by `sealed-documents.ts`) and the attributes it derived from each
 * document, in this node's own table. Parsed fields never leave this node.
 */
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
  const parsed = qualified(schema, 'parsed_documents');
  return [
    {
      id: `${schema}/0003-documents`,
      sql: `create table ${parsed} (
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

export class VaultDocuments {
  readonly #store: Store;
  readonly #parsed: string;

  constructor(store: Store, schema: string) {
    this.#store = store;
    this.#parsed = qualified(schema, 'parsed_documents');
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
