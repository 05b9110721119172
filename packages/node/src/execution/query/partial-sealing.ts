/**
 * Partials travel sealed to the aggregation enclave: the aggregator makes an X25519 key pair for
 * one execution and signs its public key with its enclave key; each Vault enclave checks that
 * signature against the enclave the aggregator's node registered in the log, then encrypts its
 * partial with AES-256-GCM under a key agreed by X25519 (its own one-time key pair) and HKDF, with
 * the task, attempt and Vault as associated data. The private key never leaves the aggregator's
 * execution, and nobody stores a partial.
 */
import {
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { digestBytes, domainHash, verifyEd25519 } from '@symphony/protocol';

const SPKI_X25519 = Buffer.from('302a300506032b656e032100', 'hex');

export type SealedPartial = { vault_id: string; ephemeral_key: string; nonce: string; ciphertext: string };

/** The digest the aggregator's enclave signs to vouch for its one-time key. */
export const aggregatorKeyDigest = (task_id: string, attempt: number, aggregator_key: string) =>
  digestBytes(domainHash('scp/v1/query-aggregator-key', { task_id, attempt, aggregator_key }));

export const verifyAggregatorKey = (
  enclavePublicKey: string,
  task_id: string,
  attempt: number,
  aggregator_key: string,
  signature: string,
) => verifyEd25519(enclavePublicKey, aggregatorKeyDigest(task_id, attempt, aggregator_key), signature);

const rawPublic = (k: KeyObject) => (k.export({ format: 'der', type: 'spki' }) as Buffer).subarray(-32).toString('hex');
const publicFromRaw = (hex: string) =>
  createPublicKey({ key: Buffer.concat([SPKI_X25519, Buffer.from(hex, 'hex')]), format: 'der', type: 'spki' });

/** A one-time key pair of the aggregation enclave. */
export function aggregatorKeyPair(): { public_key: string; private_key: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return { public_key: rawPublic(publicKey), private_key: privateKey };
}

function keyFor(shared: Buffer, aad: string): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.alloc(0), `scp/v1/query-partial\u0000${aad}`, 32));
}

const aadOf = (task_id: string, attempt: number, vault_id: string) => `${task_id}\u0000${attempt}\u0000${vault_id}`;

/** Seals a partial (any JSON) to the aggregator's public key. */
export function sealPartial(
  partial: unknown,
  to: { aggregator_key: string; task_id: string; attempt: number; vault_id: string },
): SealedPartial {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const aad = aadOf(to.task_id, to.attempt, to.vault_id);
  const key = keyFor(diffieHellman({ privateKey, publicKey: publicFromRaw(to.aggregator_key) }), aad);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(JSON.stringify(partial)), cipher.final(), cipher.getAuthTag()]);
  return {
    vault_id: to.vault_id,
    ephemeral_key: rawPublic(publicKey),
    nonce: nonce.toString('hex'),
    ciphertext: body.toString('base64'),
  };
}

/** Opens a sealed partial inside the aggregator; throws on any tampering. */
export function openPartial(sealed: SealedPartial, private_key: KeyObject, task_id: string, attempt: number): unknown {
  const aad = aadOf(task_id, attempt, sealed.vault_id);
  const key = keyFor(diffieHellman({ privateKey: private_key, publicKey: publicFromRaw(sealed.ephemeral_key) }), aad);
  const body = Buffer.from(sealed.ciphertext, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.nonce, 'hex'));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(body.subarray(body.length - 16));
  return JSON.parse(Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString());
}
