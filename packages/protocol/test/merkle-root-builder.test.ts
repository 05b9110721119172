/**
 * The streaming root builder gives exactly the RFC 6962 root of the stored tree, whatever the
 * number of leaves and however they are pushed (bytes, UTF-8 text, leaf hashes); the streamed
 * settlement and reward-ledger roots equal the roots of the trees that serve proofs; sorting
 * surrogate-free keys by string order is sorting them by UTF-8 bytes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { EncodingError } from '../src/encoding/canonical.ts';
import {
  buildMerkleTree,
  compareBytes,
  compareUtf8,
  EMPTY_MERKLE_ROOT_HEX,
  MerkleRootBuilder,
  merkleLeafHash,
  sortByKey,
} from '../src/merkle/merkle-tree.ts';
import type { RewardRecord } from '../src/objects/reward-record.ts';
import type { SettlementEntry } from '../src/objects/settlement.ts';
import {
  orderEntries,
  rewardsRootHex,
  rewardTree,
  settlementRootHex,
  settlementTree,
} from '../src/settlement/settlement-tree.ts';

const utf8 = new TextEncoder();

describe('streaming Merkle root', () => {
  it('equals the stored tree root for every size up to 70 and random leaves (property)', () => {
    for (let n = 0; n <= 70; n++) {
      const leaves = Array.from({ length: n }, (_, i) => utf8.encode(`leaf ${i}`));
      const b = new MerkleRootBuilder();
      for (const l of leaves) b.push(l);
      assert.equal(b.size, n);
      assert.equal(b.rootHex(), buildMerkleTree(leaves).rootHex, `n=${n}`);
    }
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 200 }), (leaves) => {
        const bytes = new MerkleRootBuilder();
        const hashes = new MerkleRootBuilder();
        for (const l of leaves) {
          bytes.push(l);
          hashes.pushLeafHash(merkleLeafHash(l));
        }
        const root = buildMerkleTree(leaves).rootHex;
        assert.equal(bytes.rootHex(), root);
        assert.equal(hashes.rootHex(), root);
      }),
    );
  });

  it('a UTF-8 text leaf is the leaf of its bytes; a lone surrogate is refused', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 60 }), (texts) => {
        const b = new MerkleRootBuilder();
        for (const t of texts) b.pushUtf8(t);
        assert.equal(b.rootHex(), buildMerkleTree(texts.map((t) => utf8.encode(t))).rootHex);
      }),
    );
    assert.throws(
      () => new MerkleRootBuilder().pushUtf8('ok').pushUtf8('\ud800'),
      (e: unknown) => e instanceof EncodingError && e.code === 'non_canonical_value' && e.path === '/1',
    );
    assert.throws(
      () => new MerkleRootBuilder().pushLeafHash(new Uint8Array(31)),
      (e: unknown) => e instanceof EncodingError && e.code === 'invalid_leaf_hash',
    );
    assert.equal(new MerkleRootBuilder().rootHex(), EMPTY_MERKLE_ROOT_HEX);
  });

  it('the root can be read between pushes and the builder goes on', () => {
    const leaves = Array.from({ length: 13 }, (_, i) => utf8.encode(String(i)));
    const b = new MerkleRootBuilder();
    leaves.forEach((l, i) => {
      b.push(l);
      assert.equal(b.rootHex(), buildMerkleTree(leaves.slice(0, i + 1)).rootHex);
    });
  });
});

const entry = (task_id: string, fee: string): SettlementEntry => ({
  schema_version: 1,
  epoch_id: 3,
  task_id,
  class: 'compute',
  policy_version: 1,
  envelope_hash: 'a'.repeat(64),
  receipt_hash: 'b'.repeat(64),
  verification_hash: 'c'.repeat(64),
  max_fee: '100000',
  fee,
  refund: String(100000 - Number(fee)),
  contributions: [{ account: 'act_alice', role: 'data_producer', units: 3 }],
});

const reward = (i: number, source?: 'emission'): RewardRecord => ({
  schema_version: 1,
  reward_id: `rwd_${i.toString(16).padStart(32, '0')}`,
  epoch_id: 3,
  task_id: `tsk_${i % 7}`,
  account: `act_${i % 5}`,
  role: 'data_producer',
  units: i + 1,
  policy_version: 1,
  state: 'calculated',
  amount: String(i * 17),
  ...(source ? { source } : {}),
});

describe('streamed settlement and reward-ledger roots', () => {
  it('equal the roots of the trees that serve proofs', () => {
    const entries = orderEntries([entry('tsk_b', '1200'), entry('tsk_a', '1300'), entry('tsk_\u00e9', '1')]);
    assert.equal(settlementRootHex(entries), settlementTree(entries).rootHex);
    const records = Array.from({ length: 41 }, (_, i) => reward((i * 37) % 41, i % 3 === 0 ? 'emission' : undefined));
    assert.equal(rewardsRootHex(records), rewardTree(records).rootHex);
    assert.equal(rewardsRootHex([]), EMPTY_MERKLE_ROOT_HEX);
  });
});

describe('sortByKey on keys without surrogates', () => {
  it('orders by UTF-8 bytes and refuses ties, like the byte-wise path (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ unit: fc.integer({ min: 0, max: 0xd7ff }).map((c) => String.fromCharCode(c)) })),
        (keys) => {
          const sorted = sortByKey(keys, (k) => k);
          for (let i = 1; i < sorted.length; i++)
            assert.ok(compareBytes(utf8.encode(sorted[i - 1]!), utf8.encode(sorted[i]!)) < 0);
        },
      ),
    );
    assert.deepEqual(
      sortByKey(['b', '\uffff', 'a', '\u00e9'], (k) => k),
      ['a', 'b', '\u00e9', '\uffff'],
    );
    assert.throws(
      () => sortByKey(['rwd_2', 'rwd_1', 'rwd_2'], (k) => k),
      (e: unknown) => e instanceof EncodingError && e.code === 'duplicate_leaf_key' && e.path === '/2',
    );
  });
});

describe('compareUtf8', () => {
  it('has the sign of the byte-wise comparison of the UTF-8 encodings (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        assert.equal(Math.sign(compareUtf8(a, b)), Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
        assert.equal(compareUtf8(a, a), 0);
      }),
    );
    assert.ok(compareUtf8('\ufb33', '\u{1f600}') < 0);
    assert.ok(compareUtf8('act_b', 'act_a') > 0);
  });
});
