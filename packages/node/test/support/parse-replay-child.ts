/**
 * Child process of the Parse replay test: runs Parse tasks over documents read from a folder,
 * under a fixed envelope and replay context, in a fresh process, and prints the hashes as JSON.
 * Usage: tsx parse-replay-child.ts DIR   (DIR holds `<document_id>.<ext>` files)
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { domainHash, type TaskEnvelope } from '@symphony/protocol';
import { OcrEngine } from '../../src/execution/parse/parse-document.ts';
import { runParseTask } from '../../src/execution/parse/parse-task.ts';
import { replaySeed } from '../../src/execution/transcript.ts';
import { everySubjectConsents } from './consent.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: parse-replay-child.ts DIR');
const VAULT = 'vlt_lioncity-app';
const mediaOf = { png: 'image/png', jpg: 'image/jpeg', pdf: 'application/pdf' } as Record<string, string>;
const documents = new Map(
  readdirSync(dir)
    .sort()
    .map((file, seq) => {
      const [document_id, ext] = file.split('.') as [string, string];
      const bytes = new Uint8Array(readFileSync(join(dir, file)));
      return [
        document_id,
        { seq: seq + 1, document_id, subject: 'act_sub-1', media_type: mediaOf[ext]!, bytes, sha256: '' },
      ];
    }),
);
const ocr = new OcrEngine();
const runtime = {
  documents: { document: async (_vault: string, id: string) => documents.get(id) },
  ocr,
  store: async () => {
    throw new Error('a replay never writes');
  },
};
const out: Record<string, unknown>[] = [];
for (const document_id of documents.keys()) {
  const envelope: TaskEnvelope = {
    schema_version: 1,
    task_id: `tsk_${domainHash('scp/v1/test-task', document_id).slice(0, 32)}`,
    class: 'parse',
    submitter: 'act_brand-kopi',
    authorization: { grant_ids: [] },
    consent_scope: 'analytics',
    targets: { vault_ids: [VAULT] },
    semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['merchant', 'total_amount'] },
    policy_version: 1,
    epoch_id: 1,
    budget: { max_fee: '50000' },
    admitted_at_ms: 1_764_000_000_000,
    deadline_ms: 1_764_000_600_000,
    spec: { kind: 'parse', source: { vault_id: VAULT, record_id: document_id }, extractor: 'receipt' },
  };
  const envelopeHash = domainHash('scp/v1/task-envelope', envelope);
  const replay = { epoch_id: 1, semantic_version: '1.0.0', policy_version: 1, seed: replaySeed(envelopeHash) };
  // Consent is not what this replay is about: the document's subject consented.
  const gate = await everySubjectConsents.gateFor(envelope);
  const run = await runParseTask(runtime, envelope, 1, replay, 5, gate);
  out.push({
    document_id,
    output_hash: run.transcript.output_hash,
    transcript_hash: domainHash('scp/v1/execution-transcript', run.transcript),
    code_hash: run.transcript.code_hash,
    document_commitment: run.output.document_commitment,
    text_hash: run.parsed.document.fields.text_hash,
  });
}
await ocr.close();
process.stdout.write(`${JSON.stringify({ pid: process.pid, runs: out })}\n`);
