/**
 * Staged uploads on the enterprise node: batches of JSON records or CSV rows are typed and
 * validated against the Vault's declared domain, sealed and staged; binary documents (PNG, JPEG,
 * PDF receipts kept for a later Parse task) arrive in chunks sealed one by one under the document's
 * data key. A refused step reports the line, the field and the reason (never a value), and the
 * caller aborts: nothing of a refused upload is ever visible.
 */
import { createHash } from 'node:crypto';
import { RecordInput } from '@symphony/api';
import { canonicalBytes, type SemanticDomain } from '@symphony/protocol';
import { Compile } from 'typebox/compile';
import type { UploadProblem, UploadReply, UploadRequest } from '../wire/enterprise-rpc.ts';
import { firstRecordProblem } from './validate-records.ts';
import { newWrappedKey, payloadAad, RandomPool, sealChunk } from './vault-crypto.ts';
import { RecordRefused, recordCommitment, type VaultRecords } from './vault-records.ts';

/** Largest binary document, in bytes. */
export const MAX_DOCUMENT_BYTES = 25 * 1024 * 1024;

const recordShape = Compile(RecordInput);

/** The media type of a document from its first bytes, or undefined when it is not PNG, JPEG or PDF. */
export function sniffMediaType(head: Uint8Array): 'image/png' | 'image/jpeg' | 'application/pdf' | undefined {
  const starts = (sig: number[]) => sig.every((b, i) => head[i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf';
  return undefined;
}

/** The AAD of a document chunk: Vault, record and chunk index. */
export const chunkAad = (vaultId: string, recordId: string, idx: number) =>
  canonicalBytes({ purpose: 'scp/v1/document-chunk', vault_id: vaultId, record_id: recordId, idx });

type DocumentSession = {
  vault_id: string;
  record_id: string;
  subject: string;
  dataKey: Buffer;
  wrapped_key: Buffer;
  version: number;
  hash: ReturnType<typeof createHash>;
  size: number;
  idx: number;
  head: Buffer;
};

/** Types a CSV cell against an attribute: integers and booleans parsed, an empty cell is null. */
function typeCell(type: string | undefined, cell: string): unknown {
  if (cell === '') return null;
  if (type === 'integer') return /^-?\d{1,15}$/.test(cell) ? Number(cell) : cell;
  if (type === 'boolean') return cell === 'true' ? true : cell === 'false' ? false : cell;
  return cell;
}

export class VaultIngest {
  readonly #records: VaultRecords;
  readonly #domainOf: (vault_id: string) => SemanticDomain | undefined;
  readonly #documents = new Map<string, DocumentSession>();
  readonly #pool = new RandomPool();

  constructor(records: VaultRecords, domainOf: (vault_id: string) => SemanticDomain | undefined) {
    this.#records = records;
    this.#domainOf = domainOf;
  }

  async handle(req: UploadRequest): Promise<UploadReply> {
    try {
      return await this.#handle(req);
    } catch (error) {
      if (error instanceof RecordRefused) {
        const m = /^record (\d+): (.*)$/.exec(error.message);
        return { ok: false, problem: { code: error.code, reason: m ? m[2]! : error.message } };
      }
      throw error;
    }
  }

  async #handle(req: UploadRequest): Promise<UploadReply> {
    switch (req.op) {
      case 'begin':
        await this.#records.beginUpload(req.vault_id, req.upload_id);
        return { ok: true };
      case 'begin_document': {
        await this.#records.beginUpload(req.vault_id, req.upload_id);
        const record_id = req.record_id ?? `rec_doc-${req.upload_id.replace(/[^0-9a-z_-]/g, '').slice(0, 50)}`;
        const version = await this.#records.keyVersion(req.vault_id);
        const kek = this.#records.documentKek(req.vault_id, version);
        const { dataKey, wrapped_key } = newWrappedKey(
          kek,
          version,
          { vaultId: req.vault_id, recordId: record_id },
          this.#pool,
        );
        this.#documents.set(req.upload_id, {
          vault_id: req.vault_id,
          record_id,
          subject: req.subject,
          dataKey,
          wrapped_key,
          version,
          hash: createHash('sha256'),
          size: 0,
          idx: 0,
          head: Buffer.alloc(0),
        });
        return { ok: true, record_id };
      }
      case 'records':
        return this.#stage(req.upload_id, req.records, req.first_line);
      case 'csv_rows': {
        const u = await this.#vaultOfUpload(req.upload_id);
        const domain = this.#domainOf(u);
        const types = new Map(domain?.attributes.map((a) => [a.name, a.type]) ?? []);
        for (const c of req.columns) {
          if (c !== 'subject' && c !== 'record_id' && !types.has(c))
            return problem({
              code: 'invalid_records',
              line: 1,
              field: c,
              reason: 'not an attribute of the Vault domain',
            });
        }
        if (!req.columns.includes('subject'))
          return problem({
            code: 'invalid_records',
            line: 1,
            field: 'subject',
            reason: 'the header has no subject column',
          });
        const records = req.rows.map((row) => {
          const fields: Record<string, unknown> = {};
          const r: Record<string, unknown> = { fields };
          req.columns.forEach((c, i) => {
            const cell = row[i] ?? '';
            if (c === 'subject') r.subject = cell;
            else if (c === 'record_id') {
              if (cell !== '') r.record_id = cell;
            } else fields[c] = typeCell(types.get(c), cell);
          });
          return r as RecordInput;
        });
        return this.#stage(req.upload_id, records, req.first_line);
      }
      case 'chunk': {
        const d = this.#documents.get(req.upload_id);
        if (!d) return problem({ code: 'invalid_records', reason: `upload ${req.upload_id} is not a document upload` });
        const data = Buffer.from(req.data_base64, 'base64');
        d.size += data.length;
        if (d.size > MAX_DOCUMENT_BYTES) {
          await this.#abort(req.upload_id);
          return problem({ code: 'body_too_large', reason: `a document may hold at most ${MAX_DOCUMENT_BYTES} bytes` });
        }
        if (d.head.length < 8) d.head = Buffer.concat([d.head, data.subarray(0, 8)]);
        d.hash.update(data);
        await this.#records.putChunk(
          d.vault_id,
          d.record_id,
          d.idx,
          sealChunk(d.dataKey, chunkAad(d.vault_id, d.record_id, d.idx), data, this.#pool),
        );
        d.idx++;
        return { ok: true };
      }
      case 'commit': {
        const d = this.#documents.get(req.upload_id);
        if (d) {
          const media_type = sniffMediaType(d.head);
          if (!media_type) {
            await this.#abort(req.upload_id);
            return problem({
              code: 'unsupported_media_type',
              field: 'body',
              reason: 'a document must be a PNG, JPEG or PDF file',
            });
          }
          const fields = { media_type, size_bytes: d.size, sha256: d.hash.digest('hex'), chunks: d.idx };
          const salt = this.#records.commitmentSalt(d.vault_id, d.record_id, d.subject, fields);
          const plaintext = canonicalBytes({ fields, salt });
          await this.#records.stageSealed(req.upload_id, {
            record_id: d.record_id,
            subject: d.subject,
            kind: 'document',
            kek_version: d.version,
            wrapped_key: d.wrapped_key,
            ciphertext: sealChunk(d.dataKey, payloadAad(d.vault_id, d.record_id, d.subject), plaintext, this.#pool),
            commitment: recordCommitment(d.vault_id, d.record_id, d.subject, fields, salt),
            size_bytes: d.size,
            expires_at: null,
          });
          this.#documents.delete(req.upload_id);
        }
        const done = await this.#records.commitUpload(req.upload_id);
        return {
          ok: true,
          accepted: done.accepted,
          duplicates: done.duplicates,
          record_count: await this.#records.count(done.vault_id),
          ...(d ? { record_id: d.record_id } : {}),
        };
      }
      case 'abort':
        await this.#abort(req.upload_id);
        return { ok: true };
    }
  }

  async #abort(upload_id: string): Promise<void> {
    const d = this.#documents.get(upload_id);
    this.#documents.delete(upload_id);
    await this.#records.abortUpload(upload_id);
    if (d) await this.#records.dropChunks(d.vault_id, d.record_id);
  }

  async #vaultOfUpload(upload_id: string): Promise<string> {
    return this.#records.uploadVault(upload_id);
  }

  async #stage(upload_id: string, records: RecordInput[], first_line: number): Promise<UploadReply> {
    const vault_id = await this.#vaultOfUpload(upload_id);
    for (const [i, r] of records.entries()) {
      if (!recordShape.Check(r)) {
        const e = recordShape.Errors(r)[0];
        const field = e?.instancePath.replace(/^\//, '').replaceAll('/', '.') || 'record';
        return problem({
          code: 'invalid_records',
          line: first_line + i,
          field,
          reason: e?.message ?? 'invalid record',
        });
      }
    }
    const domain = this.#domainOf(vault_id);
    if (!domain) return problem({ code: 'invalid_records', reason: `vault ${vault_id} is not hosted here` });
    const p = firstRecordProblem(domain, records);
    if (p) return problem({ code: 'invalid_records', line: first_line + p.index, field: p.field, reason: p.reason });
    try {
      return { ok: true, staged: await this.#records.stageBatch(upload_id, records) };
    } catch (error) {
      if (!(error instanceof RecordRefused)) throw error;
      const m = /^record (\d+): (.*)$/.exec(error.message);
      return problem({
        code: error.code,
        ...(m ? { line: first_line + Number(m[1]) } : {}),
        reason: m ? m[2]! : error.message,
      });
    }
  }
}

const problem = (p: UploadProblem): UploadReply => ({ ok: false, problem: p });
