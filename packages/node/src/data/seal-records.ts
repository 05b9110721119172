/**
 * Sealing a part of a batch of records (scheme 2, see `vault-crypto.ts`): for each record, its
 * commitment salt, its salted commitment, its plaintext `{fields, salt}` sealed with AES-256-GCM
 * under HMAC-SHA256(subject key, label || batch key) with a fresh nonce, and the row ready for the
 * insert: a JSON array of rows for an insert statement, or PostgreSQL's binary `COPY` format. The
 * caller gives the fields already in canonical JSON (RFC 8785); every other byte is built here
 * exactly as `recordSalt`, `recordCommitment` (via `domainHash`), `recordKey` and `sealPayload`
 * build it, so the commitments, the snapshot roots and the ciphertexts' format are those of the
 * in-thread path (tests compare them).
 *
 * HMAC-SHA256 is computed from its definition (RFC 2104: SHA-256 of the key padded with 0x5c, then
 * of the SHA-256 of the key padded with 0x36 and the message), with one-shot hashes instead of an
 * HMAC object per record: the same bytes, at a fraction of the cost for messages this small.
 *
 * New subject keys are wrapped here too (`wrapSubjectKeys`), as `newKey` wraps them, into the rows
 * stored beside the batch's records.
 *
 * `sealRecordsPart` and `wrapSubjectKeys` are self-contained (they use only the `crypto` module
 * they are given and no helper outside their body) so that the same source runs on the node's
 * main thread and in the sealing worker (`seal-worker.ts`).
 */
import type * as NodeCrypto from 'node:crypto';

/** How a sealed part is laid out for the store. */
export type SealFormat = 'json' | 'copy';

/**
 * One part of a batch to seal: its records' strings in one string and their layout and keys in
 * two buffers (a few objects to copy to the worker, not several per record).
 */
export type SealJob = {
  vault_id: string;
  /** Each record's id, subject and fields (canonical JSON), one after the other. */
  text: string;
  /**
   * A `Uint32Array`, four numbers per record: the lengths in `text` (UTF-16 code units) of its
   * id, subject and fields, then the index of its subject's key among the subject keys of `keys`.
   */
  layout: ArrayBuffer;
  /** The salt key (32 bytes), the batch data key (32), then the subject keys (32 each). */
  keys: ArrayBuffer;
  /**
   * `json`: a JSON array of rows (`record_id, subject, ciphertext` in base64, `commitment` in hex,
   * `size_bytes`), UTF-8. `copy`: a whole `COPY ... FROM ... (format binary)` stream whose tuples
   * hold `columns` fields: the batch's fields as given in `prefix` (already in the binary
   * format), then `record_id, subject` (text), `ciphertext` (bytea), `commitment` (text, hex) and
   * `size_bytes` (integer).
   */
  format: SealFormat;
  prefix?: Uint8Array;
  columns?: number;
};

/** The `text` and `layout` of a job for its records' ids, subjects, fields (canonical JSON) and subject key indexes. */
export function sealJobRecords(
  ids: readonly string[],
  subjects: readonly string[],
  fields: readonly string[],
  keyIndex: readonly number[],
): Pick<SealJob, 'text' | 'layout'> {
  const text: string[] = [];
  const layout = new Uint32Array(4 * ids.length);
  for (let i = 0; i < ids.length; i++) {
    text.push(ids[i]!, subjects[i]!, fields[i]!);
    layout[4 * i] = ids[i]!.length;
    layout[4 * i + 1] = subjects[i]!.length;
    layout[4 * i + 2] = fields[i]!.length;
    layout[4 * i + 3] = keyIndex[i]!;
  }
  return { text: text.join(''), layout: layout.buffer };
}

/** Seals a part; returns its rows in the job's format. */
export function sealRecordsPart(crypto: typeof NodeCrypto, job: SealJob): Uint8Array {
  const keys = new Uint8Array(job.keys);
  const sha256 = (data: Uint8Array) => crypto.hash('sha256', data, 'buffer');
  // HMAC-SHA256 of a 32-byte key: the key padded to SHA-256's 64-byte block, XORed with 0x36 / 0x5c.
  const pads = (key: Uint8Array) => {
    const ipad = new Uint8Array(64).fill(0x36);
    const opad = new Uint8Array(64).fill(0x5c);
    for (let j = 0; j < 32; j++) {
      ipad[j]! ^= key[j]!;
      opad[j]! ^= key[j]!;
    }
    return { ipad, opad };
  };
  let scratch = Buffer.allocUnsafe(4096);
  const outer = Buffer.allocUnsafe(96);
  const hmac = (p: { ipad: Uint8Array; opad: Uint8Array }, message: string | Uint8Array) => {
    const need = 64 + (typeof message === 'string' ? 3 * message.length : message.length);
    if (scratch.length < need) scratch = Buffer.allocUnsafe(need);
    scratch.set(p.ipad, 0);
    let end = 64;
    if (typeof message === 'string') end += scratch.write(message, 64, 'utf8');
    else {
      scratch.set(message, 64);
      end += message.length;
    }
    outer.set(p.opad, 0);
    outer.set(sha256(scratch.subarray(0, end)), 64);
    return sha256(outer);
  };

  const copy = job.format === 'copy';
  const prefix = job.prefix ?? new Uint8Array(0);
  const columns = job.columns ?? 0;
  // The binary COPY stream, grown as needed: header (signature, flags, extension length), tuples, trailer.
  const layout = new Uint32Array(job.layout);
  const n = layout.length / 4;
  let bin = Buffer.allocUnsafe(copy ? 19 + (prefix.length + 512) * n : 0);
  let at = 0;
  const room = (bytes: number) => {
    if (at + bytes <= bin.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * bin.length, at + bytes));
    bin.copy(grown, 0, 0, at);
    bin = grown;
  };
  const putText = (text: string) => {
    room(4 + 3 * text.length);
    const n = bin.write(text, at + 4, 'utf8');
    bin.writeInt32BE(n, at);
    at += 4 + n;
  };
  if (copy) {
    room(19);
    at += bin.write('PGCOPY\n\xff\r\n\0', 0, 'latin1');
    at = bin.writeInt32BE(0, bin.writeInt32BE(0, at));
  }

  const saltPads = pads(keys.subarray(0, 32));
  // The payload key's message: the label, then the batch data key.
  const label = new TextEncoder().encode('scp/v1/record-data-key\u0000');
  const keyMessage = new Uint8Array(label.length + 32);
  keyMessage.set(label, 0);
  keyMessage.set(keys.subarray(32, 64), label.length);
  const payloadKeys = new Map<number, Buffer>();
  const v = JSON.stringify(job.vault_id);
  const ivs = crypto.randomBytes(12 * n);
  const out: string[] = [];
  let pos = 0;
  const take = (length: number) => {
    const piece = job.text.slice(pos, pos + length);
    pos += length;
    return piece;
  };
  for (let i = 0; i < n; i++) {
    const recordId = take(layout[4 * i]!);
    const subject = take(layout[4 * i + 1]!);
    const f = take(layout[4 * i + 2]!);
    const r = JSON.stringify(recordId);
    const s = JSON.stringify(subject);
    const salt = hmac(saltPads, `{"fields":${f},"record_id":${r},"subject":${s},"vault_id":${v}}`)
      .subarray(0, 16)
      .toString('hex');
    const commitment = crypto.hash(
      'sha256',
      `scp/v1/record-commitment\u0000{"fields":${f},"record_id":${r},"salt":"${salt}","subject":${s},"vault_id":${v}}`,
      'hex',
    );
    const k = layout[4 * i + 3]!;
    let key = payloadKeys.get(k);
    if (!key) {
      key = hmac(pads(keys.subarray(64 + 32 * k, 96 + 32 * k)), keyMessage);
      payloadKeys.set(k, key);
    }
    const iv = ivs.subarray(12 * i, 12 * i + 12);
    const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(`scp/v1/record-payload\u0000${job.vault_id}\u0000${recordId}\u0000${subject}`));
    const body = cipher.update(`{"fields":${f},"salt":"${salt}"}`, 'utf8');
    cipher.final();
    const tag = cipher.getAuthTag();
    // GCM adds no padding: the ciphertext body is as long as the plaintext.
    if (!copy) {
      out.push(
        `{"record_id":${r},"subject":${s},"ciphertext":"${Buffer.concat([iv, body, tag]).toString('base64')}","commitment":"${commitment}","size_bytes":${body.length}}`,
      );
      continue;
    }
    room(2 + prefix.length);
    at = bin.writeInt16BE(columns, at);
    bin.set(prefix, at);
    at += prefix.length;
    putText(recordId);
    putText(subject);
    room(4 + 12 + body.length + 16 + 4 + 64 + 8);
    at = bin.writeInt32BE(12 + body.length + 16, at);
    at += iv.copy(bin, at);
    at += body.copy(bin, at);
    at += tag.copy(bin, at);
    at = bin.writeInt32BE(64, at);
    at += bin.write(commitment, at, 'latin1');
    at = bin.writeInt32BE(body.length, bin.writeInt32BE(4, at));
  }
  if (!copy) return new TextEncoder().encode(`[${out.join(',')}]`);
  room(2);
  at = bin.writeInt16BE(-1, at);
  return bin.subarray(0, at);
}

/** New subject keys of a Vault to wrap under its KEK, with their rows for the store. */
export type WrapJob = {
  vault_id: string;
  /** The KEK version. */
  version: number;
  subjects: string[];
  /** The KEK (32 bytes), then each subject's key (32 each), in the order of `subjects`. */
  keys: ArrayBuffer;
  /**
   * `json`: a JSON array of `{subject, wrapped}` (base64), UTF-8. `copy`: a whole
   * `COPY ... FROM ... (format binary)` stream of `vault_id, subject, kek_version, wrapped_key`.
   */
  format: SealFormat;
};

/**
 * Wraps subject keys: each is sealed with AES-256-GCM under the KEK with a fresh nonce, bound to
 * its Vault, subject and KEK version (`subjectKeyAad`), as `iv || ciphertext || tag`; returns
 * their rows in the job's format.
 */
export function wrapSubjectKeys(crypto: typeof NodeCrypto, job: WrapJob): Uint8Array {
  const keys = new Uint8Array(job.keys);
  const kek = keys.subarray(0, 32);
  const n = job.subjects.length;
  const ivs = crypto.randomBytes(12 * n);
  const vault = Buffer.from(job.vault_id, 'utf8');
  const copy = job.format === 'copy';
  const out = Buffer.allocUnsafe(
    copy ? 21 + n * (2 + 4 * 4 + vault.length + 4 + 60) + 3 * job.subjects.join('').length : 0,
  );
  let at = 0;
  if (copy) {
    at = out.write('PGCOPY\n\xff\r\n\0', 0, 'latin1');
    at = out.writeInt32BE(0, out.writeInt32BE(0, at));
  }
  const rows: string[] = [];
  for (let i = 0; i < n; i++) {
    const subject = job.subjects[i]!;
    const iv = ivs.subarray(12 * i, 12 * i + 12);
    const cipher = crypto.createCipheriv('aes-256-gcm', kek, iv);
    cipher.setAAD(Buffer.from(`scp/v1/subject-key\u0000${job.vault_id}\u0000${subject}\u0000${job.version}`));
    const body = cipher.update(keys.subarray(32 + 32 * i, 64 + 32 * i));
    cipher.final();
    const wrapped = Buffer.concat([iv, body, cipher.getAuthTag()]);
    if (!copy) {
      rows.push(`{"subject":${JSON.stringify(subject)},"wrapped":"${wrapped.toString('base64')}"}`);
      continue;
    }
    at = out.writeInt16BE(4, at);
    at = out.writeInt32BE(vault.length, at);
    at += vault.copy(out, at);
    const length = out.write(subject, at + 4, 'utf8');
    at = out.writeInt32BE(length, at) + length;
    at = out.writeInt32BE(job.version, out.writeInt32BE(4, at));
    at = out.writeInt32BE(wrapped.length, at);
    at += wrapped.copy(out, at);
  }
  if (!copy) return new TextEncoder().encode(`[${rows.join(',')}]`);
  at = out.writeInt16BE(-1, at);
  return out.subarray(0, at);
}
