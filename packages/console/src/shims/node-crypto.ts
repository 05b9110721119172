/**
 * The part of `node:crypto` the protocol core and the API schemas use, for the browser: SHA-256
 * hashing (`createHash`) and Ed25519 verification (`createPublicKey`, `verify`). Nothing else is
 * provided: an unexpected use fails loudly.
 */
import * as ed from '@noble/ed25519';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { Buffer } from 'buffer';

ed.hashes.sha512 = sha512;

type Input = string | Uint8Array;
const bytes = (data: Input) => (typeof data === 'string' ? new TextEncoder().encode(data) : data);

class Sha256 {
  #parts: Uint8Array[] = [];
  update(data: Input): this {
    this.#parts.push(bytes(data));
    return this;
  }
  digest(): Buffer;
  digest(encoding: 'hex' | 'base64'): string;
  digest(encoding?: 'hex' | 'base64'): Buffer | string {
    const hasher = sha256.create();
    for (const p of this.#parts) hasher.update(p);
    const out = Buffer.from(hasher.digest());
    return encoding ? out.toString(encoding) : out;
  }
}

export function createHash(algorithm: string): Sha256 {
  if (algorithm !== 'sha256') throw new Error(`createHash(${algorithm}) is not available in the browser`);
  return new Sha256();
}

/** An Ed25519 public key given as SPKI DER: the raw key is its last 32 bytes. */
export type KeyObject = { raw: Uint8Array };

export function createPublicKey(options: { key: Uint8Array }): KeyObject {
  return { raw: new Uint8Array(options.key).slice(-32) };
}

export function verify(_algorithm: null, message: Uint8Array, key: KeyObject, signature: Uint8Array): boolean {
  try {
    return ed.verify(new Uint8Array(signature), message, key.raw);
  } catch {
    return false;
  }
}

/**
 * One-shot `crypto.hash(algorithm, data, output)`: as in Node, `output` is the digest's encoding
 * (`'hex'`, the default, or `'base64'`) or `'buffer'`. The protocol's domain hashes ask for hex.
 */
export function hash(algorithm: string, data: Input, output: 'buffer'): Buffer;
export function hash(algorithm: string, data: Input, output?: 'hex' | 'base64'): string;
export function hash(algorithm: string, data: Input, output: 'hex' | 'base64' | 'buffer' = 'hex'): Buffer | string {
  const digest = createHash(algorithm).update(data);
  return output === 'buffer' ? digest.digest() : digest.digest(output);
}
export default { createHash, createPublicKey, verify, hash };
