/**
 * Sealing a part of a batch of records (scheme 2, see `vault-crypto.ts`): for each record, its
 * commitment salt, its salted commitment, its plaintext `{fields, salt}` sealed with AES-256-GCM
 * under HMAC-SHA256(subject key, label || batch key) with a fresh nonce, and the row as JSON for
 * the insert statement. The caller gives the fields already in canonical JSON (RFC 8785); every
 * other byte is built here exactly as `recordSalt`, `recordCommitment` (via `domainHash`),
 * `recordKey` and `sealPayload` build it, so the commitments, the snapshot roots and the
 * ciphertexts' format are those of the in-thread path (tests compare them).
 *
 * `sealRecordsPart` is self-contained (it uses only the `crypto` module it is given and no helper
 * outside its body) so that the same source runs on the node's main thread and in the sealing
 * worker (`seal-worker.ts`).
 */
import type * as NodeCrypto from 'node:crypto';

/** One part of a batch to seal: plain strings, and the keys in one buffer. */
export type SealJob = {
  vault_id: string;
  record_ids: string[];
  subjects: string[];
  /** Each record's fields as canonical JSON. */
  fields: string[];
  /** Each record's subject key, as an index into the subject keys of `keys`. */
  key_index: number[];
  /** The salt key (32 bytes), the batch data key (32), then the subject keys (32 each). */
  keys: ArrayBuffer;
};

/**
 * Seals a part; returns the UTF-8 JSON array of its rows
 * (`record_id, subject, ciphertext` in base64, `commitment` in hex, `size_bytes`).
 */
export function sealRecordsPart(crypto: typeof NodeCrypto, job: SealJob): Uint8Array {
  const keys = new Uint8Array(job.keys);
  const saltKey = keys.subarray(0, 32);
  const batchKey = keys.subarray(32, 64);
  const label = new TextEncoder().encode('scp/v1/record-data-key\u0000');
  const v = JSON.stringify(job.vault_id);
  const n = job.record_ids.length;
  const ivs = crypto.randomBytes(12 * n);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const recordId = job.record_ids[i]!;
    const subject = job.subjects[i]!;
    const f = job.fields[i]!;
    const r = JSON.stringify(recordId);
    const s = JSON.stringify(subject);
    const salt = crypto
      .createHmac('sha256', saltKey)
      .update(`{"fields":${f},"record_id":${r},"subject":${s},"vault_id":${v}}`)
      .digest()
      .subarray(0, 16)
      .toString('hex');
    const commitment = crypto
      .createHash('sha256')
      .update(
        `scp/v1/record-commitment\u0000{"fields":${f},"record_id":${r},"salt":"${salt}","subject":${s},"vault_id":${v}}`,
      )
      .digest('hex');
    const plaintext = Buffer.from(`{"fields":${f},"salt":"${salt}"}`);
    const k = 64 + 32 * job.key_index[i]!;
    const key = crypto
      .createHmac('sha256', keys.subarray(k, k + 32))
      .update(label)
      .update(batchKey)
      .digest();
    const iv = ivs.subarray(12 * i, 12 * i + 12);
    const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(`scp/v1/record-payload\u0000${job.vault_id}\u0000${recordId}\u0000${subject}`));
    const body = cipher.update(plaintext);
    cipher.final();
    const ciphertext = Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
    out.push(
      `{"record_id":${r},"subject":${s},"ciphertext":"${ciphertext}","commitment":"${commitment}","size_bytes":${plaintext.length}}`,
    );
  }
  return new TextEncoder().encode(`[${out.join(',')}]`);
}
