import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { canonicalBytes, canonicalString, EncodingError } from '../src/encoding/canonical.ts';

/** Values the canonical encoder accepts: null, booleans, safe integers, well-formed strings, arrays, objects. */
const canonicalJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    fc.string({ unit: 'binary' }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: 'binary' }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

function assertRejected(value: unknown, path: string): void {
  assert.throws(
    () => canonicalString(value),
    (e: unknown) => e instanceof EncodingError && e.code === 'non_canonical_value' && e.path === path,
    `expected non_canonical_value at ${JSON.stringify(path)}`,
  );
}

describe('RFC 8785 canonical encoding', () => {
  it('reproduces the RFC 8785 section 3.2.2 example (without its floats, which SCP forbids)', () => {
    const input = JSON.parse(
      '{"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    assert.equal(canonicalString(input), '{"literals":[null,true,false],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });

  it('sorts keys by UTF-16 code units (RFC 8785 section 3.2.3 example)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    assert.equal(
      canonicalString(input),
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin Small Letter O With Diaeresis",' +
        '"€":"Euro Sign","😀":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('sorts nested objects and keeps array order', () => {
    assert.equal(canonicalString({ b: [3, 1, { z: 1, a: 2 }], a: {} }), '{"a":{},"b":[3,1,{"a":2,"z":1}]}');
  });

  it('formats integers without exponent, fraction or sign of zero', () => {
    assert.equal(canonicalString(0), '0');
    assert.equal(canonicalString(-1), '-1');
    assert.equal(canonicalString(1e15), '1000000000000000');
    assert.equal(canonicalString(1.0), '1');
    assert.equal(canonicalString(Number.MAX_SAFE_INTEGER), '9007199254740991');
    assert.equal(canonicalString(Number.MIN_SAFE_INTEGER), '-9007199254740991');
  });

  it('escapes only what JSON requires, lowercase hex, short forms where they exist', () => {
    assert.equal(canonicalString('\u0000\u0001\u001f'), '"\\u0000\\u0001\\u001f"');
    assert.equal(canonicalString('\b\t\n\f\r'), '"\\b\\t\\n\\f\\r"');
    assert.equal(canonicalString('"\\/'), '"\\"\\\\/"');
    assert.equal(canonicalString('\u007f\u2028\u2029é😀'), '"\u007f\u2028\u2029é😀"');
  });

  it('accepts null-prototype objects and an own "__proto__" key', () => {
    const bare = Object.assign(Object.create(null) as object, { b: 1, a: 2 });
    assert.equal(canonicalString(bare), '{"a":2,"b":1}');
    assert.equal(canonicalString(JSON.parse('{"__proto__":1}')), '{"__proto__":1}');
  });

  it('is idempotent and independent of key insertion order (property)', () => {
    fc.assert(
      fc.property(canonicalJson, (value) => {
        const text = canonicalString(value);
        assert.equal(canonicalString(JSON.parse(text)), text);
        assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(value)));
      }),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string(), canonicalJson, { maxKeys: 8 }), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        assert.equal(canonicalString(reversed), canonicalString(record));
      }),
    );
  });
});

describe('values that cannot be canonically encoded', () => {
  class Point {
    x = 1;
  }
  const sparse: unknown[] = [];
  sparse[1] = 1;
  const cyclic: Record<string, unknown> = { a: [] };
  (cyclic.a as unknown[]).push(cyclic);
  const symbolKeyed = { [Symbol('k')]: 1, a: 1 };

  const cases: [string, unknown, string][] = [
    ['a float', { a: 1.5 }, '/a'],
    ['a float deep in arrays', { a: { b: [0, [0.1]] } }, '/a/b/1/0'],
    ['an integer above the safe range', { a: [0, 2 ** 53] }, '/a/1'],
    ['an integer below the safe range', [-(2 ** 53)], '/0'],
    ['1e21', 1e21, ''],
    ['-0', -0, ''],
    ['-0 in an array', [1, -0], '/1'],
    ['NaN', { n: Number.NaN }, '/n'],
    ['Infinity', { n: Number.POSITIVE_INFINITY }, '/n'],
    ['-Infinity', [Number.NEGATIVE_INFINITY], '/0'],
    ['undefined', undefined, ''],
    ['a property present with value undefined', { a: 1, b: undefined }, '/b'],
    ['undefined in an array', [undefined], '/0'],
    ['a hole in an array', sparse, '/0'],
    ['a bigint', { amount: 10n }, '/amount'],
    ['a function', { f: () => 1 }, '/f'],
    ['a symbol', { s: Symbol('s') }, '/s'],
    ['an object with symbol keys', { o: symbolKeyed }, '/o'],
    ['a Date', { at: new Date(0) }, '/at'],
    ['a Map', { m: new Map() }, '/m'],
    ['a Set', [new Set([1])], '/0'],
    ['a Uint8Array', { b: new Uint8Array(2) }, '/b'],
    ['a Buffer', { b: Buffer.from('x') }, '/b'],
    ['a DataView', { b: new DataView(new ArrayBuffer(1)) }, '/b'],
    ['an ArrayBuffer', { b: new ArrayBuffer(1) }, '/b'],
    ['a class instance', { p: new Point() }, '/p'],
    ['an object inheriting from a plain object', { o: Object.create({ inherited: 1 }) }, '/o'],
    ['an array subclass', { a: new (class extends Array {})() }, '/a'],
    ['a boxed string', { s: new String('x') }, '/s'],
    ['a lone high surrogate', { s: 'a\ud800' }, '/s'],
    ['a lone low surrogate', ['\udc00b'], '/0'],
    ['a key with a lone surrogate', { '\ud800': 1 }, '/\ud800'],
    ['a cycle', cyclic, '/a/0'],
    ['a path that needs JSON Pointer escapes', { 'a/b': { 'c~d': 0.5 } }, '/a~1b/c~0d'],
  ];
  for (const [what, value, path] of cases) {
    it(`rejects ${what} at ${JSON.stringify(path)}`, () => assertRejected(value, path));
  }

  it('rejects through canonicalBytes too, with a typed error', () => {
    assert.throws(
      () => canonicalBytes({ x: 0.1 }),
      (e: unknown) => e instanceof EncodingError && e instanceof Error && e.name === 'EncodingError' && e.path === '/x',
    );
  });

  it('accepts shared (non-cyclic) references', () => {
    const shared = { v: 1 };
    assert.equal(canonicalString({ a: shared, b: [shared] }), '{"a":{"v":1},"b":[{"v":1}]}');
  });
});

describe('canonical bytes', () => {
  it('are the UTF-8 encoding of the canonical string', () => {
    const value = { '€': '😀', a: 'é' };
    const bytes = canonicalBytes(value);
    assert.ok(bytes instanceof Uint8Array);
    assert.deepEqual(Buffer.from(bytes), Buffer.from('{"a":"é","€":"😀"}', 'utf8'));
    // {"a":"é","€":"😀"}: é is 2 bytes, € 3, 😀 4 (one code point, not two surrogates)
    assert.equal(bytes.length, 1 + 3 + 1 + (2 + 2) + 1 + (2 + 3) + 1 + (2 + 4) + 1);
  });

  it('never contain a raw NUL byte, so the 0x00 domain separator is unambiguous (property)', () => {
    fc.assert(fc.property(canonicalJson, (value) => assert.equal(canonicalBytes(value).includes(0), false)));
  });

  it('match Buffer.from(canonicalString) for any value (property)', () => {
    fc.assert(
      fc.property(canonicalJson, (value) =>
        assert.deepEqual(Buffer.from(canonicalBytes(value)), Buffer.from(canonicalString(value), 'utf8')),
      ),
    );
  });
});
