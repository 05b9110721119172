/** Our one-walk RFC 8785 writer gives exactly the `canonicalize` package's text on every value in its domain. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalString } from '../src/index.ts';

/** Floats, unsafe integers and -0 are outside the domain: map them to safe integers. */
function toDomain(value: unknown): unknown {
  if (typeof value === 'number') {
    const n = Math.trunc(value);
    return Number.isSafeInteger(n) ? n + 0 : 0;
  }
  if (Array.isArray(value)) return value.map(toDomain);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toDomain(v)]));
  return value;
}

describe('canonical encoding against the canonicalize package', () => {
  it('writes the same text for random JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }).map(toDomain), (v) => {
        assert.equal(canonicalString(v), canonicalize(v));
      }),
      { numRuns: 2000 },
    );
  });

  it('writes the same text for objects with arbitrary Unicode keys and strings', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 12 });
    fc.assert(
      fc.property(
        fc.dictionary(text, fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null)), { maxKeys: 12 }),
        (v) => {
          assert.equal(canonicalString(v), canonicalize(v));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
