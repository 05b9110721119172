/**
 * A Parse's released output hash cannot be tested against guessed fields: it is salted with an
 * HMAC of the document's bytes, which the released data (ids, document commitment, hashes) does
 * not give away. Whoever holds the bytes reproduces it exactly.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { domainHash } from '@symphony/protocol';
import {
  OcrEngine,
  parseDocument,
  parseOutputHash,
  parseOutputSalt,
} from '../../src/execution/parse/parse-document.ts';
import { renderReceiptPdf } from '../support/receipt-generator.ts';

describe('Parse output hash', () => {
  const ocr = new OcrEngine();
  after(() => ocr.close());

  it('is salted: the released fields and commitment alone do not reproduce it; the bytes do', async () => {
    const { bytes } = await renderReceiptPdf(7, 1);
    const result = await parseDocument(
      { document_id: 'rec_doc-1', media_type: 'application/pdf', bytes },
      '1.0.0',
      ocr,
    );
    assert.ok(result.fields.total_amount, 'the receipt parsed');
    // An observer who guessed every field exactly, and knows the released document commitment:
    const guess = domainHash('scp/v1/parse-output', {
      semantic_version: '1.0.0',
      document_commitment: result.document_commitment,
      fields: result.fields,
    });
    assert.notEqual(result.output_hash, guess);
    assert.equal(
      result.output_hash,
      parseOutputHash('1.0.0', result.document_commitment, parseOutputSalt(bytes), result.fields),
    );
    // Same fields, other bytes: another salt, another hash.
    const changed = Uint8Array.from(bytes);
    changed[changed.length - 2] = changed[changed.length - 2]! ^ 1;
    assert.notEqual(parseOutputSalt(changed), parseOutputSalt(bytes));
    // Deterministic: parsing the same bytes again gives the same hash.
    const again = await parseDocument({ document_id: 'rec_doc-1', media_type: 'application/pdf', bytes }, '1.0.0', ocr);
    assert.equal(again.output_hash, result.output_hash);
  });
});
