/**
 * Reads a binary document (receipt image, PDF) back from the sealed Vault store, for Parse on the
 * same node: its record gives the media type, size and SHA-256; its data key, unwrapped by the
 * Vault KEK, opens its chunks. A tampered chunk, key or record throws `VaultCryptoError`; bytes
 * whose hash differs from the sealed record are refused the same way. Never leaves this node.
 */
import { createHash } from 'node:crypto';
import { openChunk, unwrapDataKey, VaultCryptoError } from './vault-crypto.ts';
import type { StoredDocument, VaultDocumentSource } from './vault-documents.ts';
import { chunkAad } from './vault-ingest.ts';
import type { VaultRecords } from './vault-records.ts';

type DocumentFields = { media_type: string; size_bytes: number; sha256: string; chunks: number };

/** The committed document `record_id` of a Vault, decrypted, or undefined if there is none. */
export async function readSealedDocument(
  records: VaultRecords,
  vault_id: string,
  record_id: string,
): Promise<StoredDocument | undefined> {
  const head = await records.head(vault_id);
  for await (const rows of records.sealedRows(vault_id, head)) {
    const row = rows.find((r) => r.kind === 'document' && r.record_id === record_id);
    if (!row) continue;
    const fields = records.openRow(vault_id, row).fields as DocumentFields;
    const kek = records.documentKek(vault_id, row.kek_version);
    const dataKey = unwrapDataKey(kek, row.kek_version, { vaultId: vault_id, recordId: record_id }, row.wrapped_key);
    const sealed = await records.chunks(vault_id, record_id);
    const parts = sealed.map((c, idx) =>
      openChunk(dataKey, chunkAad(vault_id, record_id, idx), c, `chunk ${idx} of document ${record_id}`),
    );
    const bytes = new Uint8Array(Buffer.concat(parts));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (parts.length !== fields.chunks || sha256 !== fields.sha256)
      throw new VaultCryptoError('record_tampered', `document ${record_id} does not match its sealed record`);
    return { seq: row.seq, document_id: record_id, subject: row.subject, media_type: fields.media_type, bytes, sha256 };
  }
  return undefined;
}

/** Parse's document source over the sealed store. */
export function sealedDocumentSource(records: VaultRecords): VaultDocumentSource {
  return { document: (vault_id, document_id) => readSealedDocument(records, vault_id, document_id) };
}
