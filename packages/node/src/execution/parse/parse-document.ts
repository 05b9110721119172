/**
 * Parse's input boundary: (document bytes, media type, document id) in, canonical receipt fields
 * and the commitments a transcript needs out. Whatever stores a Vault's documents feeds this one
 * function; nothing here reads a Vault or writes anywhere.
 */
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { domainHash, type Hex64, sha256Hex } from '@symphony/protocol';
import { EXTRACTOR_RULES_VERSION, extractReceipt, type ReceiptFields } from './extract-receipt.ts';
import { OcrEngine, ocrIdentity } from './ocr-engine.ts';
import { pdfIdentity, pdfText } from './pdf-text.ts';

export const PARSE_MEDIA_TYPES = ['image/png', 'image/jpeg', 'application/pdf'] as const;
export type ParseMediaType = (typeof PARSE_MEDIA_TYPES)[number];

/** Documents above this size are refused before any decoding. */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

/** One document to parse, as a Vault's document store hands it over. */
export type ParseInput = { document_id: string; media_type: string; bytes: Uint8Array };

/** Why a document cannot be parsed (a task rejection reason, never fraud). */
export class ParseRefused extends Error {
  constructor(
    readonly code: 'unsupported_media_type' | 'media_type_mismatch' | 'document_too_large' | 'document_unreadable',
  ) {
    super(code);
  }
}

/** What a Parse run yields: the fields (stay in the Vault) and commitments (may leave). */
export type ParseResult = {
  fields: ReceiptFields;
  source: 'ocr' | 'pdf_text';
  /** Commitment to the input document: id, media type and SHA-256 of its bytes. */
  document_commitment: Hex64;
  /** SHA-256 of the intermediate text (OCR or PDF text layer) the extractor read. */
  text_hash: Hex64;
  /** Identity of the code that produced the fields (see `parseCodeHash`). */
  code_hash: Hex64;
  /** Hash over the canonical fields under the semantic version. */
  output_hash: Hex64;
};

function sniff(bytes: Uint8Array): ParseMediaType | undefined {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (Buffer.from(bytes.subarray(0, 5)).toString('latin1') === '%PDF-') return 'application/pdf';
  return undefined;
}

/** Commitment to a document's exact bytes, bound to its id and media type. */
export function documentCommitment(document_id: string, media_type: string, bytes: Uint8Array): Hex64 {
  return domainHash('scp/v1/parse-document', { document_id, media_type, sha256: sha256Hex(bytes) });
}

const here = dirname(fileURLToPath(import.meta.url));
const EXTRACTOR_FILES = ['extract-receipt.ts', 'merchant-directory.ts', 'pdf-text.ts', 'parse-document.ts'];
let codeHash: Hex64 | undefined;

/**
 * The code identity of Parse: the extractor's source files, the OCR engine (versions, core and
 * model hashes, configuration) and the PDF library version. Equal hash, equal behaviour.
 */
export function parseCodeHash(): Hex64 {
  codeHash ??= domainHash('scp/v1/parse-code', {
    rules: EXTRACTOR_RULES_VERSION,
    sources: Object.fromEntries(
      EXTRACTOR_FILES.map((f) => [
        f,
        createHash('sha256')
          .update(readFileSync(join(here, f)))
          .digest('hex'),
      ]),
    ),
    ocr: ocrIdentity(),
    pdf: pdfIdentity(),
  });
  return codeHash;
}

/**
 * The salt of a Parse's output hash: HMAC-SHA-256 of the document's bytes under the fixed key
 * `scp/v1/parse-output-salt`. Only whoever holds the bytes (the Vault's node, a replay on it, the
 * producer) can compute it; the released `document_commitment` does not give it away.
 */
export function parseOutputSalt(bytes: Uint8Array): Hex64 {
  return createHmac('sha256', 'scp/v1/parse-output-salt').update(bytes).digest('hex');
}

/**
 * The output hash of a Parse: the canonical fields under the semantic version, bound to the
 * document, salted so that the released hash cannot be tested against guessed fields (merchant,
 * total and date have little entropy).
 */
export function parseOutputHash(
  semantic_version: string,
  document_commitment: Hex64,
  salt: Hex64,
  fields: ReceiptFields,
): Hex64 {
  return domainHash('scp/v1/parse-output', { semantic_version, document_commitment, salt, fields });
}

/** Parses one receipt document. Refuses unknown or mislabelled media types and oversized documents. */
export async function parseDocument(input: ParseInput, semantic_version: string, ocr: OcrEngine): Promise<ParseResult> {
  if (!(PARSE_MEDIA_TYPES as readonly string[]).includes(input.media_type))
    throw new ParseRefused('unsupported_media_type');
  if (input.bytes.length > MAX_DOCUMENT_BYTES) throw new ParseRefused('document_too_large');
  if (sniff(input.bytes) !== input.media_type) throw new ParseRefused('media_type_mismatch');
  const source = input.media_type === 'application/pdf' ? 'pdf_text' : 'ocr';
  let text: string;
  try {
    text = source === 'pdf_text' ? await pdfText(input.bytes) : await ocr.recognize(input.bytes);
  } catch {
    // A file whose header says PDF or image but whose body does not decode: refused, never retried.
    throw new ParseRefused('document_unreadable');
  }
  const fields = extractReceipt(text);
  const document_commitment = documentCommitment(input.document_id, input.media_type, input.bytes);
  return {
    fields,
    source,
    document_commitment,
    text_hash: sha256Hex(new TextEncoder().encode(text)),
    code_hash: parseCodeHash(),
    output_hash: parseOutputHash(semantic_version, document_commitment, parseOutputSalt(input.bytes), fields),
  };
}

export { OcrEngine };
