/**
 * A Parse task inside the enterprise node that hosts the source Vault: read the document, parse
 * it under the task's semantic version, and return (a) the commitments a transcript binds (input
 * document commitment, code hash, replay context, output hash), (b) the released output, ids and
 * hashes only, and (c) the parsed attributes, which the caller keeps in the Vault.
 */

import {
  domainHash,
  type ExecutionTranscript,
  type Hex64,
  type ReplayContext,
  type TaskEnvelope,
} from '@symphony/protocol';
import { CONSENT_AS_OF, type ConsentGate } from '../../data/consent-gate.ts';
import type { ParsedDocument, VaultDocumentSource } from '../../data/vault-documents.ts';
import { buildTranscript } from '../transcript.ts';
import type { ReceiptFields } from './extract-receipt.ts';
import { type OcrEngine, ParseRefused, parseDocument } from './parse-document.ts';

/** What a node needs to run Parse: where documents are, its OCR engine, and where parsed attributes go. */
export type ParseRuntime = {
  documents: VaultDocumentSource;
  ocr: OcrEngine;
  /** Keeps a Parse's result in the source Vault (idempotent). */
  store(vault_id: string, document: ParsedDocument, record: ParsedRecord): Promise<void>;
};

/** The replay context a Parse runs under (the same shape every task class uses). */
export type ParseReplayContext = ReplayContext;

/** The output of a Parse that may leave the node: ids and commitments, never a field value. */
export type ParseReleasedOutput = {
  parsed_record_id: string;
  document_commitment: Hex64;
  output_hash: Hex64;
  semantic_version: string;
  source: 'ocr' | 'pdf_text';
};

/** The record Parse adds to the source Vault: the domain's attributes, for queries and computations. */
export type ParsedRecord = {
  record_id: string;
  subject: string;
  fields: { merchant: string | null; category: string; total_amount: string | null; purchased_at: string | null };
};

export type ParseRun = {
  output: ParseReleasedOutput;
  transcript: ExecutionTranscript;
  /** Everything parsed (all fields, linked to the source document): stays in the Vault. */
  parsed: { vault_id: string; document: ParsedDocument; record: ParsedRecord };
};

/** Raised for a Parse that cannot run; the code is the task's rejection reason. */
export class ParseTaskRefused extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

/** The id of the record a Parse creates: the same document, semantic version and code give the same id. */
export function parsedRecordId(document_commitment: Hex64, semantic_version: string, code_hash: Hex64): string {
  return `rec_parsed_${domainHash('scp/v1/parsed-record-id', { document_commitment, semantic_version, code_hash }).slice(0, 32)}`;
}

/** The domain projection of parsed fields (`commerce.receipt` attributes). */
export function recordFields(fields: ReceiptFields): ParsedRecord['fields'] {
  return {
    merchant: fields.merchant,
    category: fields.category,
    total_amount: fields.total_amount,
    purchased_at: fields.purchased_at,
  };
}

/** Runs a Parse task. Pure over (document bytes, code, replay context): no writes, so replays may call it too. */
export async function runParseTask(
  runtime: ParseRuntime,
  envelope: TaskEnvelope,
  attempt: number,
  replay_context: ParseReplayContext,
  kMin: number,
  gate: ConsentGate,
): Promise<ParseRun> {
  const spec = envelope.spec;
  if (spec.kind !== 'parse') throw new ParseTaskRefused('unsupported_task_class');
  if (spec.extractor !== 'receipt') throw new ParseTaskRefused('extractor_not_available');
  const { vault_id, record_id: document_id } = spec.source;
  if (!envelope.targets.vault_ids.includes(vault_id)) throw new ParseTaskRefused('parse_source_not_targeted');
  const doc = await runtime.documents.document(vault_id, document_id);
  if (!doc) throw new ParseTaskRefused('document_not_found');
  if (!gate.admits(vault_id, doc.subject)) throw new ParseTaskRefused('consent_missing');
  const semantic_version = envelope.semantic.semantic_version;
  let result: Awaited<ReturnType<typeof parseDocument>>;
  try {
    result = await parseDocument(
      { document_id, media_type: doc.media_type, bytes: doc.bytes },
      semantic_version,
      runtime.ocr,
    );
  } catch (error) {
    if (error instanceof ParseRefused) throw new ParseTaskRefused(error.code);
    throw error;
  }
  const parsed_record_id = parsedRecordId(result.document_commitment, semantic_version, result.code_hash);
  const output: ParseReleasedOutput = {
    parsed_record_id,
    document_commitment: result.document_commitment,
    output_hash: result.output_hash,
    semantic_version,
    source: result.source,
  };
  const { transcript } = buildTranscript({
    task_id: envelope.task_id,
    attempt,
    task_class: 'parse',
    code_hash: result.code_hash,
    replay_context,
    inputs: [{ vault_id, as_of_seq: doc.seq, record_count: 1, records_root: result.document_commitment }],
    output,
    resource_use: { records_scanned: 1, fuel: 0, memory_bytes: 0 },
    details: {
      k_min: kMin,
      suppressed: false,
      consent_scope: gate.scope,
      consent_as_of: CONSENT_AS_OF,
      source: result.source,
    },
  });
  return {
    output,
    transcript,
    parsed: {
      vault_id,
      document: {
        document_id,
        parsed_record_id,
        document_commitment: result.document_commitment,
        semantic_version,
        code_hash: result.code_hash,
        output_hash: result.output_hash,
        fields: { ...result.fields, text_hash: result.text_hash, source: result.source },
      },
      record: { record_id: parsed_record_id, subject: doc.subject, fields: recordFields(result.fields) },
    },
  };
}
