/** Derivation rules: parsed strictly, evaluated exactly and deterministically over local fields. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateDerivation, parseDerivation } from '../src/index.ts';

const rule = (text: string) => {
  const parsed = parseDerivation(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.rule;
};

const receipt = {
  shop_name: 'Kopi Corner',
  town: null,
  city: 'Singapore',
  pay: 'CARD',
  items: [
    { name: 'kopi', price: '1.80' },
    { name: 'kaya toast', price: '2.25' },
    { name: 'egg', price: 1 },
  ],
};

describe('derivation rules', () => {
  it('evaluates paths, aggregates over item lists and string functions exactly', () => {
    assert.equal(evaluateDerivation(rule('sum(items.price)'), receipt), '5.05');
    assert.equal(evaluateDerivation(rule('count(items)'), receipt), 3);
    assert.equal(evaluateDerivation(rule('max(items.price)'), receipt), '2.25');
    assert.equal(evaluateDerivation(rule('min(items.price)'), receipt), '1');
    assert.equal(evaluateDerivation(rule('first(items.name)'), receipt), 'kopi');
    assert.equal(evaluateDerivation(rule('shop_name'), receipt), 'Kopi Corner');
    assert.equal(evaluateDerivation(rule('coalesce(town, city)'), receipt), 'Singapore');
    assert.equal(evaluateDerivation(rule('lower(pay)'), receipt), 'card');
    assert.equal(evaluateDerivation(rule(' upper( shop_name ) '), receipt), 'KOPI CORNER');
  });

  it('yields null, never an error, for what a record cannot give', () => {
    assert.equal(evaluateDerivation(rule('missing'), receipt), null);
    assert.equal(evaluateDerivation(rule('items.price'), receipt), null, 'a bare path across a list is not one value');
    assert.equal(evaluateDerivation(rule('sum(items.name)'), receipt), null, 'not numbers');
    assert.equal(evaluateDerivation(rule('sum(nothing.here)'), receipt), null);
    assert.equal(evaluateDerivation(rule('lower(items)'), receipt), null);
  });

  it('refuses malformed rules with a position', () => {
    for (const bad of [
      '',
      'sum(',
      'sum(items.price',
      'drop(items)',
      'sum(lower(pay))',
      'a..b',
      'a b',
      'Upper(x)',
      'coalesce()',
    ]) {
      const parsed = parseDerivation(bad);
      assert.equal(parsed.ok, false, bad);
    }
    assert.equal(parseDerivation('x'.repeat(300)).ok, false);
    assert.equal(parseDerivation(`${'lower('.repeat(12)}a${')'.repeat(12)}`).ok, false, 'nesting is bounded');
  });
});
