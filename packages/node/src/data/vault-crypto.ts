/**
 * Envelope encryption of Vault records. Each document (and each record stored before batch keys)
 * is sealed with a fresh AES-256-GCM data key; the data key is wrapped (AES-256-GCM again) by a per-Vault key
 * encryption key (KEK) derived with HKDF-SHA256 from the node's Vault master secret, the Vault id
 * and a key version. The record's Vault id, record id and subject are the associated data of the
 * payload; the Vault id, record id and KEK version are the associated data of the wrapped key.
 * Any change to a ciphertext byte, a wrapped key or the associated data fails authentication and
 * surfaces as a `VaultCryptoError`: it is never decrypted into garbage.
 *
 * Records use two key layers instead (`recordKey`, `sealPayload`): a fresh data key per batch, wrapped once
 * by the KEK, and a random key per subject, wrapped by the KEK and kept once per subject. A
 * record's payload key is HMAC-SHA256(subject key, batch key): records of one batch share the
 * batch key but not their payload keys, so deleting a subject's key (crypto-shredding) makes that
 * subject's records unreadable and leaves its batch neighbours readable. Each record still has its
 * own random nonce and binds its Vault, record id and subject as associated data.
 *
 * The master secret comes from the node's Keyring: the Ed25519 signature (deterministic, RFC 8032)
 * of a fixed label under a dedicated key `<node>.vault-master`. Nobody without that private key
 * can compute it, the same data folder always yields the same secret, and no new secret format
 * is needed on disk. It is kept in memory only.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { canonicalBytes } from '@symphony/protocol';
import type { Keyring } from '../ports/keyring.ts';

/** Stable codes of the errors the Vault crypto raises. */
export const vaultCryptoErrorCodes = ['record_tampered', 'wrapped_key_tampered', 'record_shredded'] as const;
export type VaultCryptoErrorCode = (typeof vaultCryptoErrorCodes)[number];

/** A record that cannot be opened; the message names the record, never its contents. */
export class VaultCryptoError extends Error {
  override readonly name = 'VaultCryptoError';
  constructor(
    readonly code: VaultCryptoErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** The label signed to obtain a node's Vault master secret. */
const MASTER_LABEL = new TextEncoder().encode('scp/v1/vault-master-secret');

/** The keyring name of the key whose signature is a node's Vault master secret. */
export const vaultMasterKeyName = (nodeKeyName: string) => `${nodeKeyName}.vault-master`.slice(0, 64);

/** Reads (creating on first use) the node's Vault master secret from its keyring. */
export async function loadVaultMasterSecret(keyring: Keyring, nodeKeyName: string): Promise<Buffer> {
  const name = vaultMasterKeyName(nodeKeyName);
  await keyring.ensureKey(name);
  return Buffer.from(await keyring.sign(name, MASTER_LABEL), 'hex');
}

/** The KEK of a Vault at a key version: HKDF-SHA256(master, salt, vault id and version). */
export function deriveVaultKek(master: Uint8Array, vaultId: string, version: number): Buffer {
  const info = canonicalBytes({ purpose: 'scp/v1/vault-kek', vault_id: vaultId, version });
  return Buffer.from(hkdfSync('sha256', master, 'scp/v1/vault-kek-salt', info, KEY_BYTES));
}

/**
 * The key a node derives record commitment salts with: HKDF-SHA256 of its Vault master secret under
 * its own label, so it is independent of every KEK and known to nobody without the node's key.
 */
export function deriveSaltKey(master: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', master, 'scp/v1/record-salt-key', 'scp/v1/record-salt', KEY_BYTES));
}

/**
 * The salt of a record's commitment: HMAC-SHA256 under the node's salt key of the record's Vault,
 * id, subject and fields, cut to 16 bytes (hex). A pseudorandom function of the record: as hiding
 * as a random salt to anyone without the node's key (who cannot test a guess of the fields against
 * the commitment), and the same record ingested twice on the same key commits the same, so a
 * seeded input gives the same snapshot roots on every deployment (docs/protocol.md).
 */
export function recordSalt(
  saltKey: Uint8Array,
  ids: { vaultId: string; recordId: string; subject: string },
  fields: unknown,
): string {
  const message = canonicalBytes({ vault_id: ids.vaultId, record_id: ids.recordId, subject: ids.subject, fields });
  return createHmac('sha256', saltKey).update(message).digest().subarray(0, 16).toString('hex');
}

function seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, iv: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  cipher.final();
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/** Opens `iv || ciphertext || tag`, or returns undefined when authentication fails. */
function open(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer | undefined {
  if (sealed.length < IV_BYTES + TAG_BYTES) return undefined;
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}

/**
 * What binds a record's payload: its Vault, its id and its subject, NUL-separated after a purpose
 * label (identifiers match `^[a-z]{3}_[0-9a-z_-]+$`, so the encoding is unambiguous).
 */
export const payloadAad = (vaultId: string, recordId: string, subject: string) =>
  Buffer.from(`scp/v1/record-payload\u0000${vaultId}\u0000${recordId}\u0000${subject}`);

/** What binds a wrapped data key: its Vault, its record and the KEK version that wraps it. */
export const wrapAad = (vaultId: string, recordId: string, version: number) =>
  Buffer.from(`scp/v1/record-key\u0000${vaultId}\u0000${recordId}\u0000${version}`);

/**
 * Random bytes drawn in blocks: one `randomBytes` call serves many records (a data key and two
 * IVs per record), which keeps sealing cheap in bulk ingestion.
 */
export class RandomPool {
  #buf = Buffer.alloc(0);
  #at = 0;
  take(n: number): Buffer {
    if (this.#at + n > this.#buf.length) {
      this.#buf = randomBytes(Math.max(64 * 1024, n));
      this.#at = 0;
    }
    const out = this.#buf.subarray(this.#at, this.#at + n);
    this.#at += n;
    return out;
  }
}

/** Unwraps a record's data key; a changed wrapped key, record id, Vault id or version throws. */
export function unwrapDataKey(
  kek: Uint8Array,
  version: number,
  ids: { vaultId: string; recordId: string },
  wrapped: Uint8Array | null,
): Buffer {
  if (wrapped === null)
    throw new VaultCryptoError('record_shredded', `record ${ids.recordId} was crypto-shredded; it cannot be read`);
  const key = open(kek, wrapped, wrapAad(ids.vaultId, ids.recordId, version));
  if (!key || key.length !== KEY_BYTES)
    throw new VaultCryptoError(
      'wrapped_key_tampered',
      `the data key of record ${ids.recordId} in ${ids.vaultId} failed authentication`,
    );
  return key;
}

/** Re-wraps a data key from one KEK version to another without touching the payload. */
export function rewrapDataKey(
  from: { kek: Uint8Array; version: number },
  to: { kek: Uint8Array; version: number },
  ids: { vaultId: string; recordId: string },
  wrapped: Uint8Array | null,
  pool: RandomPool,
): Buffer | null {
  if (wrapped === null) return null;
  const dataKey = unwrapDataKey(from.kek, from.version, ids, wrapped);
  return seal(to.kek, dataKey, wrapAad(ids.vaultId, ids.recordId, to.version), pool.take(IV_BYTES));
}

/** Opens a record payload; a changed byte, subject or id throws `record_tampered`. */
export function openRecord(
  kek: Uint8Array,
  version: number,
  ids: { vaultId: string; recordId: string; subject: string },
  sealed: { ciphertext: Uint8Array; wrapped_key: Uint8Array | null },
): Buffer {
  return openPayload(unwrapDataKey(kek, version, ids, sealed.wrapped_key), ids, sealed.ciphertext);
}

/** Seals one chunk of a document under the document's data key (the chunk index is bound). */
export function sealChunk(dataKey: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, pool: RandomPool): Buffer {
  return seal(dataKey, plaintext, aad, pool.take(IV_BYTES));
}

/** Opens a document chunk; a tampered chunk throws `record_tampered`. */
export function openChunk(dataKey: Uint8Array, aad: Uint8Array, sealed: Uint8Array, what: string): Buffer {
  const plain = open(dataKey, sealed, aad);
  if (!plain) throw new VaultCryptoError('record_tampered', `${what} failed authentication`);
  return plain;
}

/** A fresh data key and its wrapping, for a document sealed chunk by chunk. */
export function newWrappedKey(
  kek: Uint8Array,
  version: number,
  ids: { vaultId: string; recordId: string },
  pool: RandomPool,
): { dataKey: Buffer; wrapped_key: Buffer } {
  const dataKey = Buffer.from(pool.take(KEY_BYTES));
  return { dataKey, wrapped_key: seal(kek, dataKey, wrapAad(ids.vaultId, ids.recordId, version), pool.take(IV_BYTES)) };
}

/** What binds a wrapped batch data key: its Vault and the KEK version that wraps it. */
export const batchKeyAad = (vaultId: string, version: number) =>
  Buffer.from(`scp/v1/batch-key\u0000${vaultId}\u0000${version}`);

/** What binds a wrapped subject key: its Vault, its subject and the KEK version that wraps it. */
export const subjectKeyAad = (vaultId: string, subject: string, version: number) =>
  Buffer.from(`scp/v1/subject-key\u0000${vaultId}\u0000${subject}\u0000${version}`);

const RECORD_KEY_LABEL = Buffer.from('scp/v1/record-data-key\u0000');

/** The payload key of a record of a batch: HMAC-SHA256(subject key, label || batch key). */
export function recordKey(subjectKey: Uint8Array, batchKey: Uint8Array): Buffer {
  return createHmac('sha256', subjectKey).update(RECORD_KEY_LABEL).update(batchKey).digest();
}

/** A fresh random key (a batch data key or a subject key) wrapped by `kek` under `aad`. */
export function newKey(kek: Uint8Array, aad: Uint8Array, pool: RandomPool): { key: Buffer; wrapped: Buffer } {
  const key = Buffer.from(pool.take(KEY_BYTES));
  return { key, wrapped: seal(kek, key, aad, pool.take(IV_BYTES)) };
}

/** Unwraps a batch or subject key; a changed wrapped key or associated data throws `wrapped_key_tampered`. */
export function unwrapKey(kek: Uint8Array, aad: Uint8Array, wrapped: Uint8Array, what: string): Buffer {
  const key = open(kek, wrapped, aad);
  if (!key || key.length !== KEY_BYTES)
    throw new VaultCryptoError('wrapped_key_tampered', `${what} failed authentication`);
  return key;
}

/** Re-wraps a batch or subject key from one KEK (and its associated data) to another. */
export function rewrapKey(
  from: { kek: Uint8Array; aad: Uint8Array },
  to: { kek: Uint8Array; aad: Uint8Array },
  wrapped: Uint8Array,
  what: string,
  pool: RandomPool,
): Buffer {
  return seal(to.kek, unwrapKey(from.kek, from.aad, wrapped, what), to.aad, pool.take(IV_BYTES));
}

/** Seals a record payload under its payload key (`recordKey`), with a fresh nonce. */
export function sealPayload(
  key: Uint8Array,
  ids: { vaultId: string; recordId: string; subject: string },
  plaintext: Uint8Array,
  pool: RandomPool,
): Buffer {
  return seal(key, plaintext, payloadAad(ids.vaultId, ids.recordId, ids.subject), pool.take(IV_BYTES));
}

/** Opens a record payload sealed by `sealPayload`; a changed byte, subject or id throws `record_tampered`. */
export function openPayload(
  key: Uint8Array,
  ids: { vaultId: string; recordId: string; subject: string },
  ciphertext: Uint8Array,
): Buffer {
  const plain = open(key, ciphertext, payloadAad(ids.vaultId, ids.recordId, ids.subject));
  if (!plain)
    throw new VaultCryptoError('record_tampered', `record ${ids.recordId} in ${ids.vaultId} failed authentication`);
  return plain;
}
