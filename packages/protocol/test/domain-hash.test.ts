import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { EncodingError } from '../src/encoding/canonical.ts';
import { bytesToHex, domainHash, hexToBytes, isHex64, sha256, sha256Hex } from '../src/hashing/domain-hash.ts';

const isCode = (code: string) => (e: unknown) => e instanceof EncodingError && e.code === code;

describe('domain-separated hashing', () => {
  it('hashes a known value to a pinned digest, recomputed here byte by byte', () => {
    const value = { b: [1, 'x', null, true], a: '€' };
    const expected = '1dd7d56fad4c233576623acf2a1198f787882d096974cbd474f7d64df260eb30';
    const byHand = createHash('sha256')
      .update(
        Buffer.concat([
          Buffer.from('scp/v1/task-envelope', 'utf8'),
          Buffer.from([0x00]),
          Buffer.from('{"a":"€","b":[1,"x",null,true]}', 'utf8'),
        ]),
      )
      .digest('hex');
    assert.equal(byHand, expected);
    assert.equal(domainHash('scp/v1/task-envelope', value), expected);
  });

  it('gives different hashes for the same value under different tags', () => {
    const value = { id: 't-1', amount: '100' };
    const tags = ['scp/v1/task-envelope', 'scp/v1/receipt', 'scp/v1/log-entry', 'scp/v1/a', 'scp/v1/ab'];
    const hashes = new Set(tags.map((t) => domainHash(t, value)));
    assert.equal(hashes.size, tags.length);
  });

  it('separates tag from value: moving bytes across the boundary changes the hash', () => {
    assert.notEqual(domainHash('scp/v1/a', 'b'), domainHash('scp/v1/ab', ''));
  });

  it('does not depend on key order (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.maxSafeInteger(), fc.boolean())), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        assert.equal(domainHash('scp/v1/test', reversed), domainHash('scp/v1/test', record));
      }),
    );
    assert.equal(
      domainHash('scp/v1/test', { a: { x: 1, y: 2 }, b: 2 }),
      domainHash('scp/v1/test', { b: 2, a: { y: 2, x: 1 } }),
    );
  });

  it('is 64 lowercase hex characters', () => {
    assert.ok(isHex64(domainHash('scp/v1/x', null)));
  });

  for (const tag of [
    '',
    'scp/v1/',
    'scp/v2/task',
    'SCP/v1/task',
    'scp/v1/Task',
    'scp/v1/a b',
    'scp/v1/a/b',
    'scp/v1/a_b',
    'x/scp/v1/a',
    'scp/v1/a\n',
  ]) {
    it(`rejects the domain tag ${JSON.stringify(tag)}`, () => {
      assert.throws(() => domainHash(tag, {}), isCode('invalid_domain_tag'));
    });
  }

  it('rejects values that cannot be canonically encoded', () => {
    assert.throws(() => domainHash('scp/v1/x', { amount: 1.5 }), isCode('non_canonical_value'));
  });
});

describe('SHA-256 and hex helpers', () => {
  it('match the FIPS 180-2 vectors', () => {
    assert.equal(sha256Hex(new Uint8Array()), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(
      sha256Hex(new TextEncoder().encode('abc')),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    const digest = sha256(new TextEncoder().encode('abc'));
    assert.equal(Object.getPrototypeOf(digest), Uint8Array.prototype);
    assert.equal(bytesToHex(digest), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('round-trip bytes through hex (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const hex = bytesToHex(bytes);
        assert.match(hex, /^([0-9a-f]{2})*$/);
        assert.deepEqual(hexToBytes(hex), bytes);
      }),
    );
  });

  it('encode only the bytes of a view, not its whole buffer', () => {
    const view = new Uint8Array([1, 2, 3, 4]).subarray(1, 3);
    assert.equal(bytesToHex(view), '0203');
  });

  for (const bad of ['0', 'abc', 'AB', '0X', '0x00', 'zz', ' 00', '00 ', 'é0']) {
    it(`hexToBytes rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(() => hexToBytes(bad), isCode('invalid_hex'));
    });
  }

  it('isHex64 accepts exactly 64 lowercase hex characters', () => {
    assert.ok(isHex64('0'.repeat(64)));
    assert.equal(isHex64('0'.repeat(63)), false);
    assert.equal(isHex64('0'.repeat(65)), false);
    assert.equal(isHex64('A'.repeat(64)), false);
    assert.equal(isHex64(`${'0'.repeat(64)}\n`), false);
    assert.equal(isHex64(42), false);
  });
});
