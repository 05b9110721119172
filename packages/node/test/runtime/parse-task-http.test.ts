/**
 * A Parse task end to end on the embedded network, through the HTTP API: a receipt image and a
 * PDF stored in one Vault, a `parse` task each, verified by re-execution. The parsed attributes
 * stay in the Vault (a new record linked to the source document); the released result carries
 * ids and hashes only, never a field value. A missing document or a mislabelled one is a failed
 * task with its reason.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { createHttpServer } from '../../src/application/http-server.ts';
import { outputHash } from '../../src/execution/transcript.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { grantConsents } from '../support/consent.ts';
import { openTestPglite } from '../support/pglite.ts';
import { renderReceiptImage, renderReceiptPdf } from '../support/receipt-generator.ts';
import { delay } from '../support/wait.ts';

const VAULT = 'vlt_lioncity-app';
const parseTask = (document_id: string) => ({
  class: 'parse',
  submitter: 'act_brand-kopi',
  consent_scope: 'analytics',
  targets: { vault_ids: [VAULT] },
  semantic: {
    domain: 'commerce.receipt',
    semantic_version: '1.0.0',
    attributes: ['merchant', 'category', 'total_amount', 'purchased_at'],
  },
  budget: { max_fee: '50000' },
  spec: { kind: 'parse', source: { vault_id: VAULT, record_id: document_id }, extractor: 'receipt' },
});

describe('Parse through the HTTP API on the embedded network', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  let http: FastifyInstance;
  let base: string;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const settled = async (id: string) => {
    const end = Date.now() + 60_000;
    for (;;) {
      const t = await call('GET', `/v1/tasks/${id}`);
      if (['awaiting_settlement', 'failed', 'rejected', 'completed'].includes(t.body.state)) return t.body;
      if (Date.now() > end) throw new Error(`task ${id} stuck in ${t.body.state}`);
      await delay(50);
    }
  };

  before(async () => {
    store = await openTestPglite();
    net = await openEmbeddedNetwork({ store, keyring: new MemoryKeyring(), pollIntervalMs: 20 });
    // Identity is not what this test is about (admission-denials and http-lifecycle sign every request).
    http = await createHttpServer(net.coordinator.service, { authentication: false });
    base = await http.listen({ port: 0, host: '127.0.0.1' });
    // The documents' subject consents to the scope the tasks use; consent itself is tested elsewhere.
    await grantConsents(net.coordinator.service, VAULT, ['act_sub-7', 'act_sub-8']);
  });
  after(async () => {
    await http?.close();
    await net?.close();
    await store?.close();
  });

  it('parses an image and a PDF into Vault records and releases only commitments', async () => {
    const lioncity = net.enterprises.find((e) => e.nodeId === 'node_lioncity')!;
    const image = renderReceiptImage(7, 0);
    const pdf = await renderReceiptPdf(7, 1);
    for (const [document_id, doc] of [
      ['rec_receipt-image-0', image],
      ['rec_receipt-pdf-1', pdf],
    ] as const) {
      await lioncity.storeDocument(VAULT, {
        document_id,
        subject: 'act_sub-7',
        media_type: doc.media_type,
        bytes: doc.bytes,
      });
      const submitted = await call('POST', '/v1/tasks', parseTask(document_id));
      assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
      const task = await settled(submitted.body.task_id);
      assert.equal(task.state, 'awaiting_settlement', JSON.stringify(task));

      const result = await call('GET', `/v1/tasks/${submitted.body.task_id}/result`);
      assert.equal(result.status, 200);
      assert.equal(result.body.verified, true);
      const released = JSON.stringify(result.body);
      assert.deepEqual(Object.keys(result.body.output).sort(), [
        'document_commitment',
        'output_hash',
        'parsed_record_id',
        'semantic_version',
        'source',
      ]);
      // The receipt commits to the released output, which carries the hash of the parsed fields.
      assert.equal(result.body.output_hash, outputHash(result.body.output));
      // No parsed value leaves the node: not the total, the merchant nor the date.
      assert.ok(!released.includes(doc.truth.total), 'total leaked');
      assert.ok(!released.includes(doc.truth.merchant), 'merchant leaked');
      assert.ok(!released.includes(doc.truth.date), 'date leaked');

      // Nor through the task's log events (receipt, verification): commitments only.
      const events = JSON.stringify((await call('GET', `/v1/tasks/${submitted.body.task_id}/events`)).body);
      for (const value of [doc.truth.total, doc.truth.merchant, doc.truth.date])
        assert.ok(!events.includes(value), 'a parsed value reached the log');

      const parsed = await lioncity.parsedDocuments(VAULT, document_id);
      assert.equal(parsed.length, 1, 'one parse, one row (re-execution writes nothing)');
      assert.equal(parsed[0]!.parsed_record_id, result.body.output.parsed_record_id);
      assert.equal(parsed[0]!.output_hash, result.body.output.output_hash);
      assert.equal(parsed[0]!.fields.total_amount, doc.truth.total);
      if (doc.media_type === 'application/pdf') {
        // A text layer reads exactly; OCR of this noisy image misreads the date's month (see bench/RESULTS.md).
        assert.equal(parsed[0]!.fields.merchant, doc.truth.merchant);
        assert.equal(parsed[0]!.fields.date, doc.truth.date);
      }
    }
    const status = await lioncity.status();
    assert.equal(
      status.vaults.find((v) => v.vault_id === VAULT)?.record_count,
      4,
      'two sealed documents and the two records parsed from them',
    );
  });

  it('fails a Parse of a missing document, or of a subject without consent, with its reason', async () => {
    const lioncity = net.enterprises.find((e) => e.nodeId === 'node_lioncity')!;
    const image = renderReceiptImage(7, 3);
    // act_sub-9 never consented: its document stays unread.
    await lioncity.storeDocument(VAULT, {
      document_id: 'rec_receipt-unconsented',
      subject: 'act_sub-9',
      media_type: image.media_type,
      bytes: image.bytes,
    });
    for (const [document_id, reason] of [
      ['rec_receipt-nowhere', 'document_not_found'],
      ['rec_receipt-unconsented', 'consent_missing'],
    ] as const) {
      const submitted = await call('POST', '/v1/tasks', parseTask(document_id));
      assert.equal(submitted.status, 201);
      const task = await settled(submitted.body.task_id);
      assert.match(JSON.stringify(task), new RegExp(reason), JSON.stringify(task));
    }
  });
});
