import * as crypto from 'node:crypto';
import { EncodingError, hasLoneSurrogate } from '../encoding/canonical.ts';
import { bytesToHex, type Hex64, hexToBytes, isHex64 } from '../hashing/domain-hash.ts';

/** An RFC 6962 inclusion proof: the audit path of `leaf_index` in a tree of `tree_size` leaves, bottom-up. */
export type MerkleProof = { leaf_index: number; tree_size: number; path: Hex64[] };

/** A built RFC 6962 Merkle tree that keeps every level, so proofs cost O(log n). */
export type MerkleTree = {
  /** Number of leaves. */
  readonly size: number;
  /** Merkle tree hash (MTH) of the leaves. */
  readonly root: Uint8Array;
  /** {@link MerkleTree.root} as hex. */
  readonly rootHex: Hex64;
  /** The RFC 6962 leaf hash of leaf `index`; throws RangeError if there is no such leaf. */
  leafHash(index: number): Uint8Array;
  /** The inclusion proof of leaf `index`; throws RangeError if there is no such leaf. */
  proof(index: number): MerkleProof;
};

const HASH_BYTES = 32;
/** Any UTF-16 surrogate: a cheap test before the exact lone-surrogate one. */
const ANY_SURROGATE = /[\uD800-\uDFFF]/;
const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/** Root of the tree with no leaves: SHA-256 of the empty string (RFC 6962 section 2.1). */
export const EMPTY_MERKLE_ROOT_HEX: Hex64 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** One-shot `crypto.hash` (Node >= 20.12) skips the Hash object and is markedly faster for small inputs. */
const digest: (data: Uint8Array) => Uint8Array =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'buffer')
    : (data) => crypto.createHash('sha256').update(data).digest();

/** SHA-256 of the UTF-8 bytes of a string. */
const digestText: (text: string) => Uint8Array =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'buffer')
    : (text) => crypto.createHash('sha256').update(text, 'utf8').digest();

function copyOf(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

/** RFC 6962 leaf hash: SHA-256(0x00 || data). */
export function merkleLeafHash(data: Uint8Array): Uint8Array {
  const input = new Uint8Array(1 + data.length);
  input[0] = LEAF_PREFIX;
  input.set(data, 1);
  return copyOf(digest(input));
}

/** RFC 6962 interior node hash: SHA-256(0x01 || left || right). */
export function merkleNodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const input = new Uint8Array(1 + left.length + right.length);
  input[0] = NODE_PREFIX;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return copyOf(digest(input));
}

/** Leaf hashes of `leaves`, packed 32 bytes each. */
function hashLeaves(leaves: readonly Uint8Array[]): Buffer {
  const n = leaves.length;
  const out = Buffer.allocUnsafe(n * HASH_BYTES);
  let scratch = new Uint8Array(1 + 64);
  let input = scratch;
  for (let i = 0; i < n; i++) {
    const leaf = leaves[i];
    if (!(leaf instanceof Uint8Array)) throw new TypeError(`leaf ${i} is not a Uint8Array`);
    const len = leaf.length;
    if (len + 1 !== input.length) {
      if (len + 1 > scratch.length) scratch = new Uint8Array(Math.max(len + 1, scratch.length * 2));
      input = scratch.subarray(0, len + 1);
    }
    input[0] = LEAF_PREFIX;
    input.set(leaf, 1);
    out.set(digest(input), i * HASH_BYTES);
  }
  return out;
}

/**
 * Hashes pairs of `src` (holding `count` packed hashes) into `dst`, promoting a lone last hash
 * unchanged. Returns the new count. `dst` may be `src` (in place): slot i is written only after
 * slots 2i and 2i+1 were read.
 */
function reduceLevel(src: Buffer, count: number, dst: Buffer): number {
  const pairs = count >>> 1;
  const input = new Uint8Array(1 + 2 * HASH_BYTES);
  input[0] = NODE_PREFIX;
  for (let i = 0; i < pairs; i++) {
    const at = 2 * i * HASH_BYTES;
    input.set(src.subarray(at, at + 2 * HASH_BYTES), 1);
    dst.set(digest(input), i * HASH_BYTES);
  }
  if (count & 1) src.copy(dst, pairs * HASH_BYTES, (count - 1) * HASH_BYTES, count * HASH_BYTES);
  return pairs + (count & 1);
}

function emptyRoot(): Uint8Array {
  return hexToBytes(EMPTY_MERKLE_ROOT_HEX);
}

class StoredMerkleTree implements MerkleTree {
  readonly size: number;
  readonly rootHex: Hex64;
  readonly #root: Uint8Array;
  /** levels[0] holds the leaf hashes, the last level the root (absent for the empty tree). */
  readonly #levels: Buffer[];
  readonly #counts: number[];

  constructor(leafHashes: Buffer, size: number) {
    this.size = size;
    this.#levels = [];
    this.#counts = [];
    if (size === 0) {
      this.#root = emptyRoot();
    } else {
      let level = leafHashes;
      let count = size;
      this.#levels.push(level);
      this.#counts.push(count);
      while (count > 1) {
        const next = Buffer.allocUnsafe(Math.ceil(count / 2) * HASH_BYTES);
        count = reduceLevel(level, count, next);
        level = next;
        this.#levels.push(level);
        this.#counts.push(count);
      }
      this.#root = copyOf(level.subarray(0, HASH_BYTES));
    }
    this.rootHex = bytesToHex(this.#root);
  }

  /** A fresh copy each time, so no caller can alter the tree's root. */
  get root(): Uint8Array {
    return copyOf(this.#root);
  }

  #check(index: number): void {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`leaf index ${index} is outside a tree of ${this.size} leaves`);
    }
  }

  leafHash(index: number): Uint8Array {
    this.#check(index);
    return copyOf(this.#levels[0]!.subarray(index * HASH_BYTES, (index + 1) * HASH_BYTES));
  }

  proof(index: number): MerkleProof {
    this.#check(index);
    const path: Hex64[] = [];
    let i = index;
    for (let k = 0; k < this.#levels.length - 1; k++) {
      const sibling = i % 2 === 0 ? i + 1 : i - 1;
      if (sibling < this.#counts[k]!) {
        path.push(this.#levels[k]!.toString('hex', sibling * HASH_BYTES, (sibling + 1) * HASH_BYTES));
      }
      i = Math.floor(i / 2);
    }
    return { leaf_index: index, tree_size: this.size, path };
  }
}

/**
 * Builds the RFC 6962 Merkle tree of `leaves` in the given order (ordering leaves is the
 * caller's job, see {@link sortByKey}). Levels are built bottom-up; a lone last node of a level
 * is promoted unchanged, which yields exactly the RFC 6962 MTH. Throws TypeError for a leaf that
 * is not a Uint8Array.
 */
export function buildMerkleTree(leaves: readonly Uint8Array[]): MerkleTree {
  return new StoredMerkleTree(hashLeaves(leaves), leaves.length);
}

/**
 * Builds the tree from already computed RFC 6962 leaf hashes (32 bytes each); throws
 * EncodingError `invalid_leaf_hash` (path `/i`) on a hash of another length.
 */
export function buildMerkleTreeFromLeafHashes(hashes: readonly Uint8Array[]): MerkleTree {
  const packed = Buffer.allocUnsafe(hashes.length * HASH_BYTES);
  for (let i = 0; i < hashes.length; i++) {
    const h = hashes[i];
    if (!(h instanceof Uint8Array) || h.length !== HASH_BYTES) {
      throw new EncodingError('invalid_leaf_hash', `leaf hash must be ${HASH_BYTES} bytes`, `/${i}`);
    }
    packed.set(h, i * HASH_BYTES);
  }
  return new StoredMerkleTree(packed, hashes.length);
}

/** Hex Merkle tree hash of `leaves` without keeping the levels (memory: 32 bytes per leaf). */
export function merkleRootHex(leaves: readonly Uint8Array[]): Hex64 {
  if (leaves.length === 0) return EMPTY_MERKLE_ROOT_HEX;
  const hashes = hashLeaves(leaves);
  let count = leaves.length;
  while (count > 1) count = reduceLevel(hashes, count, hashes);
  return hashes.toString('hex', 0, HASH_BYTES);
}

/**
 * The RFC 6962 root of leaves pushed one at a time, in O(log n) memory: the tree's complete
 * left subtrees are kept as a stack (sizes are the set bits of the count, largest first), so a
 * leaf is hashed as it arrives and nothing of it is kept. Settlement assembly streams each leaf's
 * canonical bytes here instead of materializing every leaf first.
 */
export class MerkleRootBuilder {
  /** Roots of the complete subtrees so far, largest (leftmost) first, with their sizes. */
  readonly #hashes: Uint8Array[] = [];
  readonly #sizes: number[] = [];
  #count = 0;
  #scratch = new Uint8Array(1 + 256);
  readonly #node = new Uint8Array(1 + 2 * HASH_BYTES);

  constructor() {
    this.#node[0] = NODE_PREFIX;
  }

  /** Leaves pushed so far. */
  get size(): number {
    return this.#count;
  }

  /** Appends a leaf (its data: the builder hashes it with the 0x00 prefix). */
  push(leaf: Uint8Array): this {
    if (!(leaf instanceof Uint8Array)) throw new TypeError(`leaf ${this.#count} is not a Uint8Array`);
    if (leaf.length + 1 > this.#scratch.length)
      this.#scratch = new Uint8Array(Math.max(leaf.length + 1, this.#scratch.length * 2));
    const input = this.#scratch.subarray(0, leaf.length + 1);
    input[0] = LEAF_PREFIX;
    input.set(leaf, 1);
    return this.pushLeafHash(digest(input));
  }

  /**
   * Appends the leaf whose data is the UTF-8 bytes of `text` (a canonical JSON text, say): the
   * leaf hash SHA-256(0x00 || UTF-8(text)) is taken over the string itself, with no byte copy.
   */
  pushUtf8(text: string): this {
    if (typeof text !== 'string') throw new TypeError(`leaf ${this.#count} is not a string`);
    if (ANY_SURROGATE.test(text) && hasLoneSurrogate(text)) {
      throw new EncodingError('non_canonical_value', 'leaf text must be well-formed Unicode', `/${this.#count}`);
    }
    return this.pushLeafHash(digestText(`\u0000${text}`));
  }

  /** Appends a leaf by its RFC 6962 leaf hash (32 bytes). */
  pushLeafHash(leafHash: Uint8Array): this {
    if (!(leafHash instanceof Uint8Array) || leafHash.length !== HASH_BYTES) {
      throw new EncodingError('invalid_leaf_hash', `leaf hash must be ${HASH_BYTES} bytes`, `/${this.#count}`);
    }
    let hash = copyOf(leafHash);
    let size = 1;
    // Merge equal-sized complete subtrees, like carrying in a binary counter.
    while (this.#sizes.length > 0 && this.#sizes[this.#sizes.length - 1] === size) {
      this.#node.set(this.#hashes.pop()!, 1);
      this.#node.set(hash, 1 + HASH_BYTES);
      this.#sizes.pop();
      hash = copyOf(digest(this.#node));
      size *= 2;
    }
    this.#hashes.push(hash);
    this.#sizes.push(size);
    this.#count++;
    return this;
  }

  /** The Merkle tree hash of the leaves pushed so far (the empty root for none). */
  rootHex(): Hex64 {
    const n = this.#hashes.length;
    if (n === 0) return EMPTY_MERKLE_ROOT_HEX;
    // RFC 6962 splits at the largest power of two below n: the stack's subtrees fold right to left.
    let hash = this.#hashes[n - 1]!;
    for (let i = n - 2; i >= 0; i--) {
      this.#node.set(this.#hashes[i]!, 1);
      this.#node.set(hash, 1 + HASH_BYTES);
      hash = copyOf(digest(this.#node));
    }
    return bytesToHex(hash);
  }
}

/**
 * RFC 9162 section 2.1.3.2: checks that `leafHash` is leaf `proof.leaf_index` of the tree of
 * `proof.tree_size` leaves whose root is `rootHex`. Returns false, never throws, on any
 * malformed input.
 */
export function verifyInclusionByLeafHash(leafHash: Uint8Array, proof: MerkleProof, rootHex: Hex64): boolean {
  try {
    if (!(leafHash instanceof Uint8Array) || leafHash.length !== HASH_BYTES || !isHex64(rootHex)) return false;
    if (typeof proof !== 'object' || proof === null) return false;
    const { leaf_index: index, tree_size: size, path } = proof;
    if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
    if (!Array.isArray(path) || path.length > 64) return false;
    const input = Buffer.allocUnsafe(1 + 2 * HASH_BYTES);
    input[0] = NODE_PREFIX;
    let fn = index;
    let sn = size - 1;
    let r = leafHash;
    for (const element of path) {
      if (sn === 0 || !isHex64(element)) return false;
      if (fn % 2 === 1 || fn === sn) {
        input.write(element, 1, 'hex');
        input.set(r, 1 + HASH_BYTES);
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      } else {
        input.set(r, 1);
        input.write(element, 1 + HASH_BYTES, 'hex');
      }
      r = digest(input);
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 && bytesToHex(r) === rootHex;
  } catch {
    return false;
  }
}

/** {@link verifyInclusionByLeafHash} for the leaf's data. Returns false, never throws, on malformed input. */
export function verifyInclusion(leafData: Uint8Array, proof: MerkleProof, rootHex: Hex64): boolean {
  try {
    if (!(leafData instanceof Uint8Array)) return false;
    return verifyInclusionByLeafHash(merkleLeafHash(leafData), proof, rootHex);
  } catch {
    return false;
  }
}

/** Lexicographic byte order (a proper prefix sorts first): negative, 0 or positive. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/**
 * Compares two strings by their UTF-8 bytes (negative, 0 or positive), without encoding them
 * unless one holds a surrogate (only then do UTF-16 and UTF-8 orders differ).
 */
export function compareUtf8(a: string, b: string): number {
  if (ANY_SURROGATE.test(a) || ANY_SURROGATE.test(b)) return Buffer.compare(Buffer.from(a), Buffer.from(b));
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Sorts `items` by the UTF-8 bytes of `key(item)` (not by UTF-16 code units, which differ for
 * characters beyond U+FFFF). Returns a new array. Throws EncodingError `duplicate_leaf_key` if two
 * items share a key and `non_canonical_value` for a key that is not well-formed Unicode.
 */
export function sortByKey<T>(items: readonly T[], key: (t: T) => string): T[] {
  const keys = items.map(key);
  // Without surrogates, UTF-16 code-unit order is UTF-8 byte order: compare the strings themselves.
  if (keys.every((k) => typeof k === 'string' && !ANY_SURROGATE.test(k))) return sortByPlainKeys(items, keys);
  const keyed = items.map((item, index) => {
    const k = keys[index]!;
    if (typeof k !== 'string' || hasLoneSurrogate(k)) {
      throw new EncodingError('non_canonical_value', 'sort key must be a well-formed string', `/${index}`);
    }
    return { item, index, bytes: Buffer.from(k, 'utf8') };
  });
  keyed.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  for (let i = 1; i < keyed.length; i++) {
    const [a, b] = [keyed[i - 1]!, keyed[i]!];
    if (Buffer.compare(a.bytes, b.bytes) === 0) {
      const [first, second] = a.index < b.index ? [a.index, b.index] : [b.index, a.index];
      throw new EncodingError('duplicate_leaf_key', `items ${first} and ${second} share a sort key`, `/${second}`);
    }
  }
  return keyed.map((k) => k.item);
}

/** {@link sortByKey} for keys without surrogates, whose string order is their UTF-8 byte order. */
function sortByPlainKeys<T>(items: readonly T[], keys: readonly string[]): T[] {
  const order = keys.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : a - b));
  for (let i = 1; i < order.length; i++) {
    const [a, b] = [order[i - 1]!, order[i]!];
    if (keys[a] === keys[b]) {
      const [first, second] = a < b ? [a, b] : [b, a];
      throw new EncodingError('duplicate_leaf_key', `items ${first} and ${second} share a sort key`, `/${second}`);
    }
  }
  return order.map((i) => items[i]!);
}
