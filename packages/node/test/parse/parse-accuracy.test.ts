/**
 * Parse quality on receipts rendered from known ground truth: 24 noisy images (three layouts,
 * three fonts, rotation, blur, speckle, PNG and JPEG) through OCR, and 6 PDFs through their text
 * layer. Field-level exact accuracy on total, date and merchant; the bar is at least 95% exact
 * totals on images and every field exact on PDFs. One OCR worker is reused for all images.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { OcrEngine, parseDocument } from '../../src/execution/parse/parse-document.ts';
import { type RenderedReceipt, renderReceiptImage, renderReceiptPdf } from '../support/receipt-generator.ts';

const SEED = 1;
const IMAGES = 24;
const PDFS = 6;

async function accuracy(ocr: OcrEngine, docs: readonly RenderedReceipt[]) {
  const exact = { total: 0, date: 0, merchant: 0 };
  const misses: string[] = [];
  for (const [i, doc] of docs.entries()) {
    const { fields } = await parseDocument(
      { document_id: `rec_receipt-${i}`, media_type: doc.media_type, bytes: doc.bytes },
      '1.0.0',
      ocr,
    );
    const hit = {
      total: fields.total_amount === doc.truth.total,
      date: fields.date === doc.truth.date,
      merchant: fields.merchant === doc.truth.merchant,
    };
    for (const k of ['total', 'date', 'merchant'] as const) {
      if (hit[k]) exact[k]++;
      else misses.push(`#${i} ${doc.truth.layout}/${doc.truth.font}: ${k}`);
    }
  }
  return { exact, misses, n: docs.length };
}

describe('Parse accuracy on rendered receipts', () => {
  const ocr = new OcrEngine();
  after(() => ocr.close());

  it(`reads at least 95% of totals exactly on ${IMAGES} noisy images`, async (t) => {
    const docs = Array.from({ length: IMAGES }, (_, i) => renderReceiptImage(SEED, i));
    assert.ok(new Set(docs.map((d) => d.truth.layout)).size >= 3, 'several layouts');
    assert.ok(new Set(docs.map((d) => d.truth.font)).size >= 2, 'at least two fonts');
    assert.ok(new Set(docs.map((d) => d.media_type)).size === 2, 'PNG and JPEG');
    const { exact, misses, n } = await accuracy(ocr, docs);
    const pct = (k: keyof typeof exact) => `${((100 * exact[k]) / n).toFixed(1)}%`;
    t.diagnostic(`images: total ${pct('total')}, date ${pct('date')}, merchant ${pct('merchant')} (n=${n})`);
    if (misses.length > 0) t.diagnostic(`misses: ${misses.join('; ')}`);
    assert.ok(exact.total / n >= 0.95, `exact totals ${pct('total')} < 95%`);
    assert.ok(exact.date / n >= 0.85, `exact dates ${pct('date')} < 85%`);
    assert.ok(exact.merchant / n >= 0.85, `exact merchants ${pct('merchant')} < 85%`);
  });

  it('gives concurrent requests the same text as one at a time (one worker, jobs queued)', async () => {
    const docs = [renderReceiptImage(SEED, 30), renderReceiptImage(SEED, 31), renderReceiptImage(SEED, 32)];
    const together = await Promise.all(docs.map((d) => ocr.recognize(d.bytes)));
    const oneByOne: string[] = [];
    for (const d of docs) oneByOne.push(await ocr.recognize(d.bytes));
    assert.deepEqual(together, oneByOne);
    assert.equal(new Set(together).size, 3);
  });

  it(`reads every field exactly on ${PDFS} PDFs with a text layer`, async (t) => {
    const docs = await Promise.all(Array.from({ length: PDFS }, (_, i) => renderReceiptPdf(SEED, i)));
    const { exact, misses, n } = await accuracy(ocr, docs);
    t.diagnostic(`pdfs: total ${exact.total}/${n}, date ${exact.date}/${n}, merchant ${exact.merchant}/${n}`);
    assert.deepEqual(misses, []);
  });
});
