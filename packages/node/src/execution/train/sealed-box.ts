/**
 * Encryption of a Vault enclave's message to the aggregation enclave: an ephemeral X25519 key
 * agreement with the aggregation session's public key, HKDF-SHA256 to an AES-256-GCM key, and the
 * context (task, round, Vault, purpose) as associated data, so a box cannot be replayed into
 * another round or Vault. Only the holder of the session's private key (in enclave memory) opens it.
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

/** A sealed message: the sender's ephemeral public key, nonce, ciphertext and tag (base64). */
export type SealedBox = { epk: string; nonce: string; ciphertext: string; tag: string };

const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

/** Raw 32-byte X25519 public key (hex) of a key object. */
export function rawPublicKeyHex(key: KeyObject): string {
  const der = key.export({ type: 'spki', format: 'der' });
  return Buffer.from(der.subarray(der.length - 32)).toString('hex');
}

function publicKeyOf(rawHex: string): KeyObject {
  const raw = Buffer.from(rawHex, 'hex');
  if (raw.length !== 32) throw new Error('an X25519 public key has 32 bytes');
  return createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** A new X25519 key pair (the aggregation session's, kept in enclave memory). */
export function newSessionKeys(): { privateKey: KeyObject; publicKeyHex: string } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return { privateKey, publicKeyHex: rawPublicKeyHex(publicKey) };
}

function keyFor(shared: Buffer, context: string): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.alloc(0), `scp/v1/train-sealed-box/${context}`, 32));
}

/** Seals `plaintext` to the session key `recipientHex` under `context`. */
export function seal(recipientHex: string, context: string, plaintext: Uint8Array): SealedBox {
  const eph = generateKeyPairSync('x25519');
  const shared = diffieHellman({ privateKey: eph.privateKey, publicKey: publicKeyOf(recipientHex) });
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(shared, context), nonce);
  cipher.setAAD(Buffer.from(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    epk: rawPublicKeyHex(eph.publicKey),
    nonce: nonce.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

/** Opens a box with the session's private key; throws if it was sealed to another key or context. */
export function open(privateKey: KeyObject, context: string, box: SealedBox): Uint8Array {
  const shared = diffieHellman({ privateKey, publicKey: publicKeyOf(box.epk) });
  const decipher = createDecipheriv('aes-256-gcm', keyFor(shared, context), Buffer.from(box.nonce, 'base64'));
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(Buffer.from(box.tag, 'base64'));
  return new Uint8Array(Buffer.concat([decipher.update(Buffer.from(box.ciphertext, 'base64')), decipher.final()]));
}
