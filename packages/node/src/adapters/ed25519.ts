/**
 * Ed25519 helpers over `node:crypto` shared by the keyring adapters: key generation, PEM
 * round-trips, raw public keys as hex, signing and verification.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto';

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const HEX = /^[0-9a-f]*$/;

/** A fresh Ed25519 private key. */
export function generateEd25519PrivateKey(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey;
}

/** The private key as PKCS#8 PEM text. */
export function privateKeyToPem(privateKey: KeyObject): string {
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** Parses PKCS#8 PEM text; throws unless it holds an Ed25519 private key. */
export function privateKeyFromPem(pem: string): KeyObject {
  const key = createPrivateKey({ key: pem, format: 'pem' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`not an Ed25519 key: ${key.asymmetricKeyType}`);
  return key;
}

/** The raw 32-byte public key of an Ed25519 private or public key, as 64 hex digits. */
export function publicKeyHexOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32).toString('hex');
}

/** Signs `bytes` and returns the 64-byte signature as 128 hex digits. */
export function signEd25519(privateKey: KeyObject, bytes: Uint8Array): string {
  return nodeSign(null, bytes, privateKey).toString('hex');
}

/** True when `signatureHex` is a valid Ed25519 signature of `bytes` by the raw `publicKeyHex`. Never throws. */
export function verifyEd25519(publicKeyHex: string, bytes: Uint8Array, signatureHex: string): boolean {
  if (publicKeyHex.length !== 64 || signatureHex.length !== 128 || !HEX.test(publicKeyHex) || !HEX.test(signatureHex)) {
    return false;
  }
  try {
    const der = Buffer.concat([SPKI_ED25519_PREFIX, Buffer.from(publicKeyHex, 'hex')]);
    const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
    return nodeVerify(null, bytes, key, Buffer.from(signatureHex, 'hex'));
  } catch {
    return false;
  }
}
