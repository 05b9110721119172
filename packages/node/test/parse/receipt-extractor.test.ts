/**
 * The deterministic receipt extractor on hand-written receipt texts: totals (not subtotals, cash
 * or change), dates in several conventions, times, currencies, line items with quantities,
 * merchants (directory and fuzzy), categories; and the Parse input boundary's refusals.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { amountsOf, extractReceipt } from '../../src/execution/parse/extract-receipt.ts';
import { OcrEngine, ParseRefused, parseDocument } from '../../src/execution/parse/parse-document.ts';

const CLASSIC = `CORNER GROCERY
12 Main St
Date: 15/03/2024  Time: 14:32
Milk 2L        3.49
Eggs x2        9.50
SUBTOTAL      12.99
GST 9%         1.17
TOTAL EUR     14.16
CASH          20.00
CHANGE         5.84`;

describe('receipt extractor', () => {
  it('takes the total, not the subtotal, cash or change', () => {
    const f = extractReceipt(CLASSIC);
    assert.equal(f.total_amount, '14.16');
    assert.equal(f.currency, 'EUR');
    assert.equal(f.merchant, 'CORNER GROCERY');
    assert.equal(f.category, 'grocery');
    assert.equal(f.date, '2024-03-15');
    assert.equal(f.time, '14:32');
    assert.equal(f.purchased_at, '2024-03-15T14:32:00Z');
    assert.deepEqual(f.line_items, [
      { description: 'MILK 2L', quantity: 1, amount: '3.49' },
      { description: 'EGGS X2', quantity: 1, amount: '9.50' },
    ]);
  });

  it('prefers a grand total, reads an amount on the next line, and a colon misread for a point', () => {
    assert.equal(extractReceipt('SHOP\nTOTAL 5.00\nGRAND TOTAL 6.00\nTOTAL 5.00').total_amount, '6.00');
    assert.equal(extractReceipt('SHOP\nAmount Due\n$188.57').total_amount, '188.57');
    assert.equal(extractReceipt('SHOP\nGRAND TOTAL SGD 16:99\nVISA 4821 16.99').total_amount, '16.99');
    assert.equal(extractReceipt('SHOP\nTOTAL 1,204.50').total_amount, '1204.50');
    assert.equal(extractReceipt('SHOP\nTOTAL 12,50 EUR').total_amount, '12.50');
    assert.equal(extractReceipt('SHOP\nTOTAL 1O.5O').total_amount, '10.50', 'O read for 0 inside an amount');
  });

  it('falls back to the largest amount that is not a payment line', () => {
    assert.equal(extractReceipt('SHOP\nBread 2.00\nCheese 7.25\nCASH 50.00').total_amount, '7.25');
    assert.equal(extractReceipt('nothing here').total_amount, null);
  });

  it('reads dates in ISO, day-first, US month-first and named-month forms', () => {
    assert.equal(extractReceipt('A\n2024-03-05 10:00').date, '2024-03-05');
    assert.equal(extractReceipt('A\n05/03/2024').date, '2024-03-05');
    assert.equal(extractReceipt('A\n05/03/2024\nTOTAL $3.00').date, '2024-05-03', 'US receipts are month first');
    assert.equal(extractReceipt('A\n25/03/2024\nTOTAL $3.00').date, '2024-03-25', 'a day above 12 decides');
    assert.equal(extractReceipt('A\n27 Mar 2025 11:17').date, '2025-03-27');
    assert.equal(extractReceipt('A\n24 Dec-2025').date, '2025-12-24');
    assert.equal(extractReceipt('A\nSep 14,2026 6:01 PM').date, '2026-09-14');
    assert.equal(extractReceipt('A\nSep 14,2026 6:01 PM').time, '18:01');
    assert.equal(extractReceipt('A\n12:05 AM').time, '00:05');
    assert.equal(extractReceipt('A\n31/02/2024').date, null, 'no such day');
  });

  it('detects currencies from codes and symbols', () => {
    assert.equal(extractReceipt('A\nTOTAL S$ 4.00').currency, 'SGD');
    assert.equal(extractReceipt('A\nTOTAL £4.00').currency, 'GBP');
    assert.equal(extractReceipt('A\nTOTAL €4.00').currency, 'EUR');
    assert.equal(extractReceipt('A\nTOTAL $4.00').currency, 'USD');
    assert.equal(extractReceipt('A\nTOTAL 4.00').currency, null);
  });

  it('reads quantities of line items', () => {
    const f = extractReceipt('A\nCroissant 2 @ 7.25 14.50\n3 x Bananas $4.50\nTOTAL 19.00');
    assert.deepEqual(f.line_items, [
      { description: 'CROISSANT', quantity: 2, amount: '14.50' },
      { description: 'BANANAS', quantity: 3, amount: '4.50' },
    ]);
  });

  it('matches merchants to the directory despite OCR noise, and keeps unknown ones as printed', () => {
    assert.equal(extractReceipt('B FRESHMART\nTOTAL 1.00').merchant, 'FRESHMART');
    assert.equal(extractReceipt('Bean Thera Cafe\nTOTAL 1.00').merchant, 'BEAN THERE CAFE');
    const unknown = extractReceipt('Moonlight Bakery\nReceipt #12\nSourdough 4.00\nTOTAL 4.00');
    assert.equal(unknown.merchant, 'MOONLIGHT BAKERY');
    assert.equal(unknown.category, 'other');
    assert.equal(
      extractReceipt('Joe Stop\nLatte 4.00\nTOTAL 4.00').category,
      'coffee',
      'category from an item keyword',
    );
  });

  it('is a pure function: equal text, equal fields', () => {
    assert.deepEqual(extractReceipt(CLASSIC), extractReceipt(CLASSIC));
    assert.deepEqual(amountsOf('1.234.56 and 3,50 and 7.25'), ['3.50', '7.25']);
  });
});

describe('Parse input boundary', () => {
  const ocr = new OcrEngine();
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const refused = (code: string) => (e: unknown) => e instanceof ParseRefused && e.code === code;

  it('refuses unknown media types, mislabelled bytes and oversized documents before decoding', async () => {
    const parse = (media_type: string, bytes: Uint8Array) =>
      parseDocument({ document_id: 'rec_x', media_type, bytes }, '1.0.0', ocr);
    await assert.rejects(parse('image/gif', png), refused('unsupported_media_type'));
    await assert.rejects(parse('application/pdf', png), refused('media_type_mismatch'));
    await assert.rejects(parse('image/jpeg', png), refused('media_type_mismatch'));
    await assert.rejects(parse('image/png', new Uint8Array(10 * 1024 * 1024 + 1)), refused('document_too_large'));
  });
});
