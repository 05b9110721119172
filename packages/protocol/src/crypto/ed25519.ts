/** Ed25519 signature verification (pure computation; signing lives with the keys, in the runtime). */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';

const SPKI_ED25519_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);
const HEX = /^[0-9a-f]*$/;
const KEY_CACHE_LIMIT = 4096;
/** Parsed public keys by hex: importing a key costs more than verifying with it. */
const keyCache = new Map<string, KeyObject>();

function publicKey(publicKeyHex: string): KeyObject {
  let key = keyCache.get(publicKeyHex);
  if (!key) {
    const der = new Uint8Array(SPKI_ED25519_PREFIX.length + 32);
    der.set(SPKI_ED25519_PREFIX, 0);
    der.set(Buffer.from(publicKeyHex, 'hex'), SPKI_ED25519_PREFIX.length);
    key = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
    keyCache.set(publicKeyHex, key);
  }
  return key;
}

const VERIFIED_CACHE_LIMIT = 65_536;
/**
 * Triples already found valid. Verification is a pure function, so remembering a result changes
 * nothing but time: every master folding the same entry in one process verifies it once.
 */
const verified = new Set<string>();

/** True when `signatureHex` is a valid Ed25519 signature of `message` by the raw 32-byte `publicKeyHex`. Never throws. */
export function verifyEd25519(publicKeyHex: string, message: Uint8Array, signatureHex: string): boolean {
  if (publicKeyHex.length !== 64 || signatureHex.length !== 128 || !HEX.test(publicKeyHex) || !HEX.test(signatureHex)) {
    return false;
  }
  const memo =
    message.length <= 64 ? `${publicKeyHex}${signatureHex}${Buffer.from(message).toString('hex')}` : undefined;
  if (memo && verified.has(memo)) return true;
  try {
    const ok = verify(null, message, publicKey(publicKeyHex), Buffer.from(signatureHex, 'hex'));
    if (ok && memo) {
      if (verified.size >= VERIFIED_CACHE_LIMIT) verified.clear();
      verified.add(memo);
    }
    return ok;
  } catch {
    return false;
  }
}
