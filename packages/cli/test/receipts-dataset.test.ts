import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { RecordInput } from '@symphony/api';
import { Compile } from 'typebox/compile';
import { createPrng } from '../src/demo/prng.ts';
import {
  generateReceipts,
  RECEIPT_CATEGORIES,
  RECEIPT_CITIES,
  RECEIPT_WINDOW_DAYS,
} from '../src/demo/receipts-dataset.ts';

const VAULTS = ['vlt_acme-bank', 'vlt_acme-retail', 'vlt_globex-pay', 'vlt_globex-loyalty'];
const REFERENCE = '2026-10-31T23:59:59Z';
const options = { seed: 42, subjects: 80, receiptsPerSubject: 10, referenceDate: REFERENCE, vaultIds: VAULTS };

function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

describe('generateReceipts', () => {
  it('gives identical output for the same seed (deep-equal and hash)', () => {
    const a = generateReceipts(options);
    const b = generateReceipts({ ...options, vaultIds: [...VAULTS] });
    assert.deepEqual(a, b);
    assert.equal(hashOf(a), hashOf(b));
  });

  it('pins the output of one seed, so any change to the generator is deliberate', () => {
    const small = generateReceipts({ ...options, subjects: 5, receiptsPerSubject: 3 });
    assert.equal(hashOf(small), '985c0d50bcf07a2d3f3a8e40f3e0ae11a0d105b957791102ac4f0dfc3c17e6ad');
  });

  it('gives different output for different seeds', () => {
    const a = generateReceipts(options);
    const b = generateReceipts({ ...options, seed: 43 });
    assert.notEqual(hashOf(a), hashOf(b));
  });

  it('returns one group per Vault, in the given order, with every receipt once', () => {
    const groups = generateReceipts(options);
    assert.deepEqual(
      groups.map((g) => g.vaultId),
      VAULTS,
    );
    const total = groups.reduce((sum, g) => sum + g.records.length, 0);
    assert.equal(total, options.subjects * options.receiptsPerSubject);
    for (const group of groups) assert.ok(group.records.length > 0, `${group.vaultId} got no records`);
  });

  it('writes records that validate against RecordInput', () => {
    const validator = Compile(RecordInput);
    for (const { records } of generateReceipts(options)) {
      for (const record of records) assert.ok(validator.Check(record), JSON.stringify(validator.Errors(record)));
    }
  });

  it('uses stable subject ids, the canonical attributes and the fixed category and city lists', () => {
    const records = generateReceipts(options).flatMap((g) => g.records);
    const subjects = new Set(records.map((r) => r.subject));
    assert.equal(subjects.size, options.subjects);
    assert.ok(subjects.has('act_sub-0001') && subjects.has('act_sub-0080'));
    for (const record of records) {
      assert.deepEqual(Object.keys(record.fields).sort(), [
        'category',
        'city',
        'merchant',
        'purchased_at',
        'total_amount',
      ]);
      assert.ok(
        (RECEIPT_CATEGORIES as readonly unknown[]).includes(record.fields.category),
        String(record.fields.category),
      );
      assert.ok((RECEIPT_CITIES as readonly unknown[]).includes(record.fields.city), String(record.fields.city));
      assert.equal(typeof record.fields.merchant, 'string');
    }
    assert.equal(new Set(records.map((r) => r.fields.category)).size, RECEIPT_CATEGORIES.length);
    assert.equal(new Set(records.map((r) => r.fields.city)).size, RECEIPT_CITIES.length);
  });

  it('writes amounts as positive 2-decimal strings, realistic per category', () => {
    const records = generateReceipts(options).flatMap((g) => g.records);
    const byCategory = new Map<string, number[]>();
    for (const record of records) {
      const amount = record.fields.total_amount;
      assert.equal(typeof amount, 'string');
      assert.match(amount as string, /^(0|[1-9]\d*)\.\d{2}$/);
      assert.ok(Number(amount) > 0);
      const list = byCategory.get(String(record.fields.category)) ?? [];
      list.push(Number(amount));
      byCategory.set(String(record.fields.category), list);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(mean(byCategory.get('coffee') ?? []) < 12, 'coffee is cheap');
    assert.ok(
      mean(byCategory.get('electronics') ?? []) > mean(byCategory.get('grocery') ?? []),
      'electronics cost more',
    );
  });

  it('dates purchases inside the window before the reference date, as ISO 8601 UTC', () => {
    const reference = Date.parse(REFERENCE);
    const windowStart = reference - RECEIPT_WINDOW_DAYS * 86_400_000;
    for (const { records } of generateReceipts(options)) {
      let previous = 0;
      for (const record of records) {
        const text = record.fields.purchased_at as string;
        assert.match(text, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
        const at = Date.parse(text);
        assert.ok(at > windowStart && at <= reference, text);
        assert.ok(at >= previous, 'records are in purchase order');
        previous = at;
      }
    }
  });

  it('lets some subjects shop in several Vaults', () => {
    const vaultsOf = new Map<string, Set<string>>();
    for (const { vaultId, records } of generateReceipts(options)) {
      for (const r of records) vaultsOf.set(r.subject, (vaultsOf.get(r.subject) ?? new Set()).add(vaultId));
    }
    const multi = [...vaultsOf.values()].filter((v) => v.size > 1).length;
    assert.ok(multi > 0 && multi < options.subjects, `${multi} subjects in several Vaults`);
  });

  it('refuses options it cannot honour', () => {
    assert.throws(() => generateReceipts({ ...options, vaultIds: [] }), /at least one Vault/);
    assert.throws(() => generateReceipts({ ...options, subjects: 0 }), /subjects/);
    assert.throws(() => generateReceipts({ ...options, referenceDate: 'not a date' }), /referenceDate/);
  });
});

describe('createPrng', () => {
  it('is deterministic and uniform enough', () => {
    const a = createPrng(7);
    const b = createPrng(7);
    const xs = Array.from({ length: 10_000 }, () => a.next());
    assert.deepEqual(
      xs.slice(0, 5),
      Array.from({ length: 5 }, () => b.next()),
    );
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    assert.ok(Math.abs(mean - 0.5) < 0.02, String(mean));
  });
});
