import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { EncodingError } from '../src/encoding/canonical.ts';
import { bytesToHex, hexToBytes } from '../src/hashing/domain-hash.ts';
import {
  buildMerkleTree,
  buildMerkleTreeFromLeafHashes,
  compareBytes,
  EMPTY_MERKLE_ROOT_HEX,
  type MerkleProof,
  merkleLeafHash,
  merkleNodeHash,
  merkleRootHex,
  sortByKey,
  verifyInclusion,
  verifyInclusionByLeafHash,
} from '../src/merkle/merkle-tree.ts';

/** RFC 6962 section 2.1 MTH, written straight from the definition. */
function referenceRoot(leaves: readonly Uint8Array[]): Buffer {
  const n = leaves.length;
  if (n === 0) return createHash('sha256').digest();
  if (n === 1)
    return createHash('sha256')
      .update(Buffer.from([0x00]))
      .update(leaves[0]!)
      .digest();
  let k = 1;
  while (k * 2 < n) k *= 2;
  return createHash('sha256')
    .update(Buffer.from([0x01]))
    .update(referenceRoot(leaves.slice(0, k)))
    .update(referenceRoot(leaves.slice(k)))
    .digest();
}

/** RFC 6962 section 2.1.1 PATH(m, D[n]), written straight from the definition. */
function referencePath(m: number, leaves: readonly Uint8Array[]): string[] {
  const n = leaves.length;
  if (n <= 1) return [];
  let k = 1;
  while (k * 2 < n) k *= 2;
  return m < k
    ? [...referencePath(m, leaves.slice(0, k)), referenceRoot(leaves.slice(k)).toString('hex')]
    : [...referencePath(m - k, leaves.slice(k)), referenceRoot(leaves.slice(0, k)).toString('hex')];
}

/** The side of each RFC 6962 audit path element of leaf m among n leaves, bottom-up. */
function referenceSides(m: number, n: number): ('left' | 'right')[] {
  if (n <= 1) return [];
  let k = 1;
  while (k * 2 < n) k *= 2;
  return m < k ? [...referenceSides(m, k), 'right'] : [...referenceSides(m - k, n - k), 'left'];
}

function sidesEqual(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((side, i) => side === b[i]);
}

/** x with bit `bit` (0..52) flipped, staying a safe integer. */
function flipBit53(x: number, bit: number): number {
  return Number(BigInt(x) ^ (1n << BigInt(bit)));
}

function leavesOf(n: number, salt = 0): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => new Uint8Array(createHash('sha256').update(`${salt}:${i}`).digest()));
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = new Uint8Array(bytes);
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

/** Random trees of distinct, non-empty leaves and a valid index into each. */
const treeAndIndex = fc
  .uniqueArray(fc.uint8Array({ minLength: 1, maxLength: 24 }), { minLength: 1, maxLength: 150, selector: bytesToHex })
  .chain((leaves) => fc.tuple(fc.constant(leaves), fc.nat({ max: leaves.length - 1 })));

describe('RFC 6962 Merkle tree hash', () => {
  it('is SHA-256 of the empty string for the empty tree (RFC 6962 section 2.1)', () => {
    assert.equal(EMPTY_MERKLE_ROOT_HEX, createHash('sha256').update('').digest('hex'));
    assert.equal(merkleRootHex([]), EMPTY_MERKLE_ROOT_HEX);
    const tree = buildMerkleTree([]);
    assert.equal(tree.size, 0);
    assert.equal(tree.rootHex, EMPTY_MERKLE_ROOT_HEX);
    assert.throws(() => tree.proof(0), RangeError);
  });

  it('is the leaf hash SHA-256(0x00 || data) for one leaf, with an empty proof', () => {
    const data = new TextEncoder().encode('only');
    const expected = createHash('sha256')
      .update(Buffer.from([0x00]))
      .update(data)
      .digest('hex');
    const tree = buildMerkleTree([data]);
    assert.equal(tree.rootHex, expected);
    assert.equal(bytesToHex(merkleLeafHash(data)), expected);
    assert.deepEqual(tree.proof(0), { leaf_index: 0, tree_size: 1, path: [] });
    assert.ok(verifyInclusion(data, tree.proof(0), tree.rootHex));
  });

  it('hashes interior nodes as SHA-256(0x01 || left || right)', () => {
    const [l, r] = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)];
    const expected = createHash('sha256')
      .update(Buffer.from([0x01]))
      .update(l)
      .update(r)
      .digest('hex');
    assert.equal(bytesToHex(merkleNodeHash(l, r)), expected);
  });

  it('matches the certificate-transparency reference vectors', () => {
    const data = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
    const roots = [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
      'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
      '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
      'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
      '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    ];
    const leaves = data.map(hexToBytes);
    for (let n = 1; n <= leaves.length; n++) {
      assert.equal(buildMerkleTree(leaves.slice(0, n)).rootHex, roots[n - 1], `size ${n}`);
    }
  });

  it('matches the recursive reference root and audit paths for every size 0..70', () => {
    for (let n = 0; n <= 70; n++) {
      const leaves = leavesOf(n);
      const expected = referenceRoot(leaves).toString('hex');
      const tree = buildMerkleTree(leaves);
      assert.equal(tree.size, n);
      assert.equal(tree.rootHex, expected, `root of size ${n}`);
      assert.equal(bytesToHex(tree.root), expected);
      assert.equal(merkleRootHex(leaves), expected, `root-only of size ${n}`);
      assert.equal(buildMerkleTreeFromLeafHashes(leaves.map(merkleLeafHash)).rootHex, expected);
      for (let i = 0; i < n; i++) {
        const proof = tree.proof(i);
        assert.deepEqual(proof, { leaf_index: i, tree_size: n, path: referencePath(i, leaves) }, `path ${i}/${n}`);
        assert.ok(verifyInclusion(leaves[i]!, proof, tree.rootHex), `verify ${i}/${n}`);
        assert.deepEqual(tree.leafHash(i), merkleLeafHash(leaves[i]!));
      }
    }
  });

  it('matches the reference root for random sizes and leaf lengths (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 100 }), { minLength: 71, maxLength: 700 }), (leaves) => {
        const expected = referenceRoot(leaves).toString('hex');
        assert.equal(buildMerkleTree(leaves).rootHex, expected);
        assert.equal(merkleRootHex(leaves), expected);
      }),
      { numRuns: 30 },
    );
  });

  it('matches the reference root at powers of two and their neighbours', () => {
    for (const n of [127, 128, 129, 255, 256, 257, 1023, 1024, 1025, 3000]) {
      const leaves = leavesOf(n, n);
      assert.equal(merkleRootHex(leaves), referenceRoot(leaves).toString('hex'), `size ${n}`);
    }
  });

  it('does not change the leaves it is given', () => {
    const leaves = leavesOf(9);
    const before = leaves.map(bytesToHex);
    buildMerkleTree(leaves);
    merkleRootHex(leaves);
    assert.deepEqual(leaves.map(bytesToHex), before);
  });

  it('hands out copies of its root, so callers cannot alter the tree', () => {
    const tree = buildMerkleTree(leavesOf(3));
    const root = tree.root;
    root.fill(0);
    assert.equal(bytesToHex(tree.root), tree.rootHex);
    assert.notEqual(tree.rootHex, '0'.repeat(64));
  });

  it('rejects leaves that are not byte arrays', () => {
    assert.throws(() => buildMerkleTree(['abc' as unknown as Uint8Array]), TypeError);
    assert.throws(() => merkleRootHex([new Uint8Array(1), [1, 2] as unknown as Uint8Array]), TypeError);
  });

  it('rejects leaf hashes that are not 32 bytes, naming the index', () => {
    assert.throws(
      () => buildMerkleTreeFromLeafHashes([new Uint8Array(32), new Uint8Array(31)]),
      (e: unknown) => e instanceof EncodingError && e.code === 'invalid_leaf_hash' && e.path === '/1',
    );
  });

  it('throws RangeError for proofs of leaves that do not exist', () => {
    const tree = buildMerkleTree(leavesOf(5));
    for (const i of [-1, 5, 1.5, Number.NaN]) {
      assert.throws(() => tree.proof(i), RangeError);
      assert.throws(() => tree.leafHash(i), RangeError);
    }
  });
});

describe('inclusion proofs', () => {
  it('verify for every leaf of random trees (property)', () => {
    fc.assert(
      fc.property(treeAndIndex, ([leaves, index]) => {
        const tree = buildMerkleTree(leaves);
        const proof = tree.proof(index);
        assert.ok(verifyInclusion(leaves[index]!, proof, tree.rootHex));
        assert.ok(verifyInclusionByLeafHash(merkleLeafHash(leaves[index]!), proof, tree.rootHex));
      }),
    );
  });

  it('fail when any single bit of the leaf data is flipped (property)', () => {
    fc.assert(
      fc.property(treeAndIndex, fc.nat(), ([leaves, index], bitSeed) => {
        const tree = buildMerkleTree(leaves);
        const leaf = leaves[index]!;
        const flipped = flipBit(leaf, bitSeed % (leaf.length * 8));
        assert.equal(verifyInclusion(flipped, tree.proof(index), tree.rootHex), false);
      }),
    );
  });

  it('fail when any single bit of any path element is flipped (property)', () => {
    fc.assert(
      fc.property(treeAndIndex, fc.nat(), fc.nat({ max: 255 }), ([leaves, index], elementSeed, bit) => {
        const tree = buildMerkleTree(leaves);
        const proof = tree.proof(index);
        fc.pre(proof.path.length > 0);
        const k = elementSeed % proof.path.length;
        const path = proof.path.map((p, j) => (j === k ? bytesToHex(flipBit(hexToBytes(p), bit)) : p));
        assert.equal(verifyInclusion(leaves[index]!, { ...proof, path }, tree.rootHex), false);
      }),
    );
  });

  it('fail when any single bit of the leaf index is flipped (property)', () => {
    fc.assert(
      fc.property(treeAndIndex, fc.nat({ max: 52 }), ([leaves, index], bit) => {
        const tree = buildMerkleTree(leaves);
        const proof = { ...tree.proof(index), leaf_index: flipBit53(index, bit) };
        assert.equal(verifyInclusion(leaves[index]!, proof, tree.rootHex), false);
      }),
    );
  });

  it('fail when a bit of the tree size is flipped, unless the audit path has the very same shape (property)', () => {
    // An RFC 6962 root does not commit to the tree size: leaf 0 of 5 leaves and leaf 0 of 7 leaves
    // have the same audit path shape (three right siblings), so one proof verifies under both
    // sizes. Whoever signs a root must sign its size with it, as a CT signed tree head does.
    const leaves = leavesOf(5);
    const tree = buildMerkleTree(leaves);
    assert.ok(verifyInclusion(leaves[0]!, { ...tree.proof(0), tree_size: 7 }, tree.rootHex));
    assert.equal(verifyInclusion(leaves[4]!, { ...tree.proof(4), tree_size: 7 }, tree.rootHex), false);
    let sameShape = 0;
    fc.assert(
      fc.property(treeAndIndex, fc.nat({ max: 52 }), ([leaves, index], bit) => {
        const tree = buildMerkleTree(leaves);
        const size = flipBit53(tree.size, bit);
        const expected = size > index && sidesEqual(referenceSides(index, tree.size), referenceSides(index, size));
        if (expected) sameShape++;
        assert.equal(
          verifyInclusion(leaves[index]!, { ...tree.proof(index), tree_size: size }, tree.rootHex),
          expected,
        );
      }),
      { numRuns: 300 },
    );
    assert.ok(sameShape < 300);
  });

  it('fail when the root is another tree’s root or a single bit of it is flipped (property)', () => {
    fc.assert(
      fc.property(treeAndIndex, fc.nat({ max: 255 }), ([leaves, index], bit) => {
        const tree = buildMerkleTree(leaves);
        const root = bytesToHex(flipBit(tree.root, bit));
        assert.equal(verifyInclusion(leaves[index]!, tree.proof(index), root), false);
      }),
    );
  });

  it('fail with a path element added, removed or reordered', () => {
    const leaves = leavesOf(11);
    const tree = buildMerkleTree(leaves);
    for (let i = 0; i < 11; i++) {
      const proof = tree.proof(i);
      const verify = (path: string[]): boolean => verifyInclusion(leaves[i]!, { ...proof, path }, tree.rootHex);
      assert.equal(verify([...proof.path, proof.path[0]!]), false);
      assert.equal(verify(proof.path.slice(1)), false);
      assert.equal(verify(proof.path.slice(0, -1)), false);
      assert.equal(verify([...proof.path].reverse()), false);
    }
  });

  it('return false without throwing for indices >= size and malformed proofs', () => {
    const leaves = leavesOf(6);
    const tree = buildMerkleTree(leaves);
    const good = tree.proof(3);
    const leaf = leaves[3]!;
    const bad: unknown[] = [
      { ...good, leaf_index: 6 },
      { ...good, leaf_index: 7, tree_size: 6 },
      { ...good, tree_size: 3 },
      { ...good, tree_size: 0, leaf_index: 0 },
      { ...good, leaf_index: -1 },
      { ...good, leaf_index: 1.5 },
      { ...good, leaf_index: Number.NaN },
      { ...good, leaf_index: '3' },
      { ...good, tree_size: 2 ** 60 },
      { ...good, path: good.path.map((p) => p.toUpperCase()) },
      { ...good, path: [...good.path.slice(1), 'zz'] },
      { ...good, path: [good.path[0]!.slice(2), ...good.path.slice(1)] },
      { ...good, path: [null, ...good.path.slice(1)] },
      { ...good, path: 'not an array' },
      { ...good, path: Array.from({ length: 100 }, () => good.path[0]) },
      { leaf_index: 3, tree_size: 6 },
      {},
      null,
      undefined,
      42,
      new Proxy(good, {
        get() {
          throw new Error('hostile proof');
        },
      }),
    ];
    for (const [i, proof] of bad.entries()) {
      assert.equal(verifyInclusion(leaf, proof as MerkleProof, tree.rootHex), false, `malformed proof #${i}`);
    }
    assert.equal(verifyInclusion(leaf, good, tree.rootHex.toUpperCase()), false);
    assert.equal(verifyInclusion(leaf, good, 'not a root'), false);
    assert.equal(verifyInclusion('leaf' as unknown as Uint8Array, good, tree.rootHex), false);
    assert.equal(verifyInclusionByLeafHash(new Uint8Array(31), good, tree.rootHex), false);
    assert.ok(verifyInclusion(leaf, good, tree.rootHex));
  });
});

describe('leaf ordering helpers', () => {
  it('compareBytes orders lexicographically, a proper prefix first', () => {
    const b = (...xs: number[]) => new Uint8Array(xs);
    assert.ok(compareBytes(b(1, 2), b(1, 3)) < 0);
    assert.ok(compareBytes(b(2), b(1, 255)) > 0);
    assert.ok(compareBytes(b(1), b(1, 0)) < 0);
    assert.equal(compareBytes(b(), b()), 0);
    assert.equal(compareBytes(b(7, 7), b(7, 7)), 0);
  });

  it('sortByKey orders by UTF-8 bytes, not UTF-16 code units', () => {
    const keys = ['\ufb33', '\u{1f600}', 'b', 'a', 'ab', '\u00e9'];
    assert.deepEqual([...keys].sort(), ['a', 'ab', 'b', '\u00e9', '\u{1f600}', '\ufb33']);
    assert.deepEqual(
      sortByKey(keys, (k) => k),
      ['a', 'ab', 'b', '\u00e9', '\ufb33', '\u{1f600}'],
    );
  });

  it('sortByKey returns a new array and agrees with compareBytes (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ unit: 'binary' })), (keys) => {
        const items = keys.map((key) => ({ key }));
        const sorted = sortByKey(items, (t) => t.key);
        assert.notEqual(sorted, items);
        assert.equal(sorted.length, items.length);
        const encoder = new TextEncoder();
        for (let i = 1; i < sorted.length; i++) {
          assert.ok(compareBytes(encoder.encode(sorted[i - 1]!.key), encoder.encode(sorted[i]!.key)) < 0);
        }
      }),
    );
  });

  it('sortByKey refuses ties and keys that are not well-formed Unicode', () => {
    assert.throws(
      () => sortByKey(['x', 'y', 'x'], (k) => k),
      (e: unknown) => e instanceof EncodingError && e.code === 'duplicate_leaf_key' && e.path === '/2',
    );
    assert.throws(
      () => sortByKey(['ok', '\ud800'], (k) => k),
      (e: unknown) => e instanceof EncodingError && e.code === 'non_canonical_value' && e.path === '/1',
    );
    assert.deepEqual(sortByKey([], String), []);
  });
});
