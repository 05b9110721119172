import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { canonicalBytes, canonicalString, EncodingError, isDeeplyFrozen } from '../encoding/canonical.ts';

/** A SHA-256 digest as 64 lowercase hexadecimal characters. */
export type Hex64 = string;

/** JSON Schema `pattern` of a {@link Hex64}. */
export const HEX64_PATTERN = '^[0-9a-f]{64}$';

/** JSON Schema `pattern` of a domain tag: `scp/v1/` and a kebab-case object type. */
export const DOMAIN_TAG_PATTERN = '^scp/v1/[a-z0-9-]+$';

const hex64Regex = new RegExp(HEX64_PATTERN);
const hexRegex = /^(?:[0-9a-f]{2})*$/;
const domainTagRegex = new RegExp(DOMAIN_TAG_PATTERN);
const separator = new Uint8Array([0]);

/** True if `s` is a {@link Hex64}. */
export function isHex64(s: unknown): s is Hex64 {
  return typeof s === 'string' && hex64Regex.test(s);
}

/** A plain Uint8Array view of a Buffer's bytes (no copy), so callers never see Buffer semantics. */
function plain(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** SHA-256 digest of `bytes` (32 bytes). */
export function sha256(bytes: Uint8Array): Uint8Array {
  return plain(createHash('sha256').update(bytes).digest());
}

/** SHA-256 digest of `bytes` as a {@link Hex64}. */
export function sha256Hex(bytes: Uint8Array): Hex64 {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Lowercase hex of `bytes`. */
export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Bytes of a lowercase, even-length hex string; throws EncodingError `invalid_hex` on anything else. */
export function hexToBytes(hex: string): Uint8Array {
  if (typeof hex !== 'string' || !hexRegex.test(hex)) {
    throw new EncodingError('invalid_hex', 'expected an even number of lowercase hex characters');
  }
  const out = new Uint8Array(hex.length / 2);
  Buffer.from(out.buffer).write(hex, 'hex');
  return out;
}

/**
 * Domain-separated hash of an object: SHA-256( UTF-8(tag) || 0x00 || RFC 8785 bytes of value ).
 * `tag` names the object type (`scp/v1/task-envelope`); throws EncodingError `invalid_domain_tag`
 * if it does not match {@link DOMAIN_TAG_PATTERN}, and `non_canonical_value` if the value cannot
 * be canonically encoded.
 */
export function domainHash(tag: string, value: unknown): Hex64 {
  if (typeof tag !== 'string' || !domainTagRegex.test(tag)) {
    throw new EncodingError('invalid_domain_tag', `domain tag must match ${DOMAIN_TAG_PATTERN}`);
  }
  if (!isDeeplyFrozen(value)) return hashOf(tag, value);
  // A deeply frozen value cannot change: its hash under a tag is computed once per process.
  const byTag = frozenHashes.get(value as object) ?? new Map<string, Hex64>();
  let hash = byTag.get(tag);
  if (hash === undefined) {
    hash = hashOf(tag, value);
    byTag.set(tag, hash);
    frozenHashes.set(value as object, byTag);
  }
  return hash;
}

/** Domain hashes of deeply frozen values, by value and tag. */
const frozenHashes = new WeakMap<object, Map<string, Hex64>>();

function hashOf(tag: string, value: unknown): Hex64 {
  // The canonical text is well-formed Unicode (lone surrogates are refused) and the tag is ASCII, so
  // hashing the string `tag + U+0000 + text` as UTF-8 hashes exactly tag || 0x00 || JCS bytes.
  if (oneShot) return oneShot('sha256', `${tag}\u0000${canonicalString(value)}`, 'hex');
  const body = canonicalBytes(value);
  return createHash('sha256').update(tag, 'utf8').update(separator).update(body).digest('hex');
}

/** One-shot `crypto.hash` (Node >= 20.12): no Hash object, markedly faster for small inputs. */
const oneShot = typeof crypto.hash === 'function' ? crypto.hash : undefined;
