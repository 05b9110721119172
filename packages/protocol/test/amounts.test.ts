import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  AMOUNT_MAX_DIGITS,
  addAmounts,
  isAmount,
  isSignedAmount,
  parseAmount,
  parseSignedAmount,
  sumBigints,
  toAmount,
  toSignedAmount,
} from '../src/encoding/amount.ts';
import { EncodingError } from '../src/encoding/canonical.ts';

const isInvalidAmount = (e: unknown): boolean => e instanceof EncodingError && e.code === 'invalid_amount';
const TWO_256 = 2n ** 256n;

describe('amounts', () => {
  it('round-trip every bigint in [0, 2^255] through the decimal string (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 255n }), (n) => {
        const a = toAmount(n);
        assert.equal(a, n.toString(10));
        assert.ok(isAmount(a));
        assert.equal(parseAmount(a), n);
      }),
    );
  });

  it('round-trip well-formed strings (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^(0|[1-9][0-9]{0,77})$/), (s) => assert.equal(toAmount(parseAmount(s)), s)),
    );
  });

  it('parse the 256-bit maximum and the 78-digit maximum', () => {
    assert.equal(parseAmount((TWO_256 - 1n).toString()), TWO_256 - 1n);
    const max = '9'.repeat(AMOUNT_MAX_DIGITS);
    assert.equal(parseAmount(max), 10n ** 78n - 1n);
    assert.equal(toAmount(10n ** 78n - 1n), max);
  });

  const malformed = [
    '',
    ' ',
    ' 1',
    '1 ',
    '1\n',
    '01',
    '00',
    '-0',
    '-1',
    '+1',
    '1.0',
    '1.',
    '.5',
    '1e3',
    '0x10',
    '1_000',
    '1,000',
    '１',
    '٣',
    'NaN',
    'Infinity',
    '9'.repeat(AMOUNT_MAX_DIGITS + 1),
  ];
  for (const s of malformed) {
    it(`reject ${JSON.stringify(s.length > 20 ? `${s.slice(0, 8)}...(${s.length} chars)` : s)}`, () => {
      assert.equal(isAmount(s), false);
      assert.throws(() => parseAmount(s), isInvalidAmount);
    });
  }

  it('reject non-strings at runtime', () => {
    for (const v of [1, 1n, null, undefined, {}, ['1']]) {
      assert.equal(isAmount(v), false);
      assert.throws(() => parseAmount(v as string), isInvalidAmount);
    }
  });

  it('refuse to format a negative or a more-than-78-digit value', () => {
    assert.throws(() => toAmount(-1n), isInvalidAmount);
    assert.throws(() => toAmount(10n ** 78n), isInvalidAmount);
    assert.throws(() => toAmount(1 as unknown as bigint), isInvalidAmount);
  });

  it('sum exactly, beyond 2^53 and up to 2^256', () => {
    assert.equal(addAmounts(), '0');
    assert.equal(addAmounts('7'), '7');
    assert.equal(addAmounts('9007199254740993', '1'), '9007199254740994');
    assert.equal(addAmounts((TWO_256 - 1n).toString(), '1'), TWO_256.toString());
    assert.equal(
      addAmounts('115792089237316195423570985008687907853269984665640564039457584007913129639935', '1'),
      '115792089237316195423570985008687907853269984665640564039457584007913129639936',
    );
    assert.equal(sumBigints([]), 0n);
    assert.equal(sumBigints([1n, -3n, 2n ** 200n]), 2n ** 200n - 2n);
    assert.equal(sumBigints(new Set([1n, 2n])), 3n);
  });

  it('sum like bigint arithmetic (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 2n ** 250n }), { maxLength: 20 }), (xs) => {
        const expected = xs.reduce((a, b) => a + b, 0n);
        assert.equal(addAmounts(...xs.map(toAmount)), expected.toString());
        assert.equal(sumBigints(xs), expected);
      }),
    );
  });

  it('refuse to sum a malformed amount or overflow 78 digits', () => {
    assert.throws(() => addAmounts('1', '01'), isInvalidAmount);
    assert.throws(() => addAmounts('1', '-1'), isInvalidAmount);
    const max = '9'.repeat(AMOUNT_MAX_DIGITS);
    assert.throws(() => addAmounts(max, '1'), isInvalidAmount);
  });
});

describe('signed amounts', () => {
  it('round-trip every bigint in [-2^255, 2^255] (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 255n), max: 2n ** 255n }), (n) => {
        const s = toSignedAmount(n);
        assert.equal(s, n.toString(10));
        assert.ok(isSignedAmount(s));
        assert.equal(parseSignedAmount(s), n);
      }),
    );
  });

  it('accept zero, negatives and the 78-digit extremes', () => {
    assert.equal(parseSignedAmount('0'), 0n);
    assert.equal(parseSignedAmount('-5'), -5n);
    assert.equal(parseSignedAmount(`-${'9'.repeat(78)}`), -(10n ** 78n - 1n));
    assert.equal(toSignedAmount(-(10n ** 78n - 1n)), `-${'9'.repeat(78)}`);
  });

  for (const s of ['', '-', '-0', '-00', '-01', '01', '+1', '--1', '- 1', '1-', '-1.5', '-1e2', `-${'9'.repeat(79)}`]) {
    it(`reject ${JSON.stringify(s.length > 20 ? `${s.slice(0, 8)}...(${s.length} chars)` : s)}`, () => {
      assert.equal(isSignedAmount(s), false);
      assert.throws(() => parseSignedAmount(s), isInvalidAmount);
    });
  }

  it('refuse to format a magnitude of more than 78 digits', () => {
    assert.throws(() => toSignedAmount(10n ** 78n), isInvalidAmount);
    assert.throws(() => toSignedAmount(-(10n ** 78n)), isInvalidAmount);
  });
});
