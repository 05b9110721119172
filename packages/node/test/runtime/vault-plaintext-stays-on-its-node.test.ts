/**
 * The Vault is the private-data boundary. Records carrying unique marker strings are uploaded
 * (JSON, CSV, NDJSON, a PDF document), every task class the network runs is executed over them, and
 * everything outside the Vault's node is scanned for the markers: the masters' tables and the
 * protocol log, every bus message and reply after ingestion, every HTTP answer, the logs, and the
 * error messages of refused uploads. None may appear. A deliberate leak (a debug log of each
 * opened record, planted through a test-only hook) must make the same scan fail.
 *
 * Bad uploads (wrong schema, oversized record, malformed CSV, unknown Vault, producer over quota,
 * not a document) get a 4xx naming the line/field and reason, and store nothing.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { MemoryBroker } from '../../src/adapters/memory-bus.ts';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { createHttpServer } from '../../src/application/http-server.ts';
import { VaultRecords } from '../../src/data/vault-records.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { grantConsents } from '../support/consent.ts';
import { openTestPglite } from '../support/pglite.ts';
import { delay } from '../support/wait.ts';

const V = 'vlt_lioncity-app';
const run = randomBytes(4).toString('hex');
const marker = (i: number) => `MRK${run}X${i}Z`;
const ANY_MARKER = new RegExp(`MRK${run}X\\d+Z`);

/** A broker that keeps a copy of every message and reply while `tapping`. */
class TappedBroker extends MemoryBroker {
  tapping = false;
  readonly seen: string[] = [];
  override route(subject: string, data: string, reply: ((text: string) => void) | undefined): number {
    if (this.tapping) this.seen.push(`${subject} ${data}`);
    const tapped =
      reply &&
      ((text: string) => {
        if (this.tapping) this.seen.push(`reply ${subject} ${text}`);
        reply(text);
      });
    return super.route(subject, data, tapped);
  }
}

describe('Vault boundary: plaintext never leaves the enterprise node', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  let http: FastifyInstance;
  let base: string;
  const broker = new TappedBroker();
  const logs: string[] = [];
  const answers: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
  const call = async (method: string, path: string, body?: unknown, type = 'application/json') => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': type },
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    answers.push(text);
    return { status: res.status, body: (text.startsWith('{') ? JSON.parse(text) : {}) as Record<string, any> };
  };
  const count = async () => (await call('GET', `/v1/vaults/${V}`)).body.record_count as number;

  /** Everything outside the Vault's node, as text. */
  async function outside(): Promise<string> {
    const tables = await store.query<{ table_schema: string; table_name: string }>(
      `select table_schema, table_name from information_schema.tables
       where table_schema like 'node_master%' or table_name = 'network_log'`,
    );
    assert.ok(tables.length >= 4, 'the masters have tables to scan');
    const parts: string[] = [];
    for (const t of tables) {
      const rows = await store.query<{ row: string }>(
        `select t::text as row from "${t.table_schema}"."${t.table_name}" t`,
      );
      for (const r of rows) parts.push(r.row);
    }
    return [...parts, ...broker.seen, ...answers, ...logs].join('\n');
  }

  async function runEveryTaskClass(tag: string): Promise<void> {
    const bodies = [
      ...(['count', 'sum', 'mean', 'histogram'] as const).map((operator) => ({
        class: 'compute',
        spec: {
          kind: 'compute',
          program: {
            type: 'builtin',
            operator,
            ...(operator === 'count' ? {} : { attribute: 'total_amount' }),
            ...(operator === 'histogram' ? { bin_edges: ['0', '5', '10', '100'] } : {}),
          },
          filter: [{ attribute: 'category', op: 'eq', value: 'coffee' }],
        },
      })),
      {
        class: 'parse',
        spec: { kind: 'parse', source: { vault_id: V, record_id: 'rec_doc-marker' }, extractor: 'receipt' },
      },
    ];
    const ids: string[] = [];
    for (const [i, b] of bodies.entries()) {
      const res = await call(
        'POST',
        '/v1/tasks',
        {
          submitter: 'act_brand-kopi',
          consent_scope: 'analytics',
          targets: { vault_ids: [V] },
          semantic: {
            domain: 'commerce.receipt',
            semantic_version: '1.0.0',
            attributes: ['category', 'total_amount', 'merchant'],
          },
          budget: { max_fee: '50000' },
          ...b,
        },
        'application/json',
      );
      if (res.status === 201) ids.push(res.body.task_id ?? res.body.task?.task_id);
      else assert.ok(res.status < 500, `${tag} task ${i} got ${res.status}`);
    }
    for (const id of ids) {
      const end = Date.now() + 60_000;
      for (;;) {
        const t = await call('GET', `/v1/tasks/${id}`);
        if (['awaiting_settlement', 'completed', 'rejected', 'failed', 'timed_out'].includes(t.body.state)) break;
        assert.ok(Date.now() < end, `task ${id} stuck in ${t.body.state}`);
        await delay(100);
      }
      await call('GET', `/v1/tasks/${id}/result`);
      await call('GET', `/v1/tasks/${id}/events`);
    }
  }

  before(async () => {
    store = await openTestPglite();
    net = await openEmbeddedNetwork({
      store,
      keyring: new MemoryKeyring(),
      broker,
      vaultLimits: { quota_per_subject: 1000, max_record_bytes: 700 },
      pollIntervalMs: 20,
      onError: (what, error) => logger.warn({ what, code: (error as { code?: string }).code }, 'retrying'),
    });
    // Identity is not what this test is about (admission-denials and http-lifecycle sign every request).
    http = await createHttpServer(net.coordinator.service, { logger, authentication: false });
    base = await http.listen({ port: 0, host: '127.0.0.1' });
    // Every subject consents to the tasks' scope, so every task class reads the marked records.
    const subjects = [
      ...Array.from({ length: 10 }, (_, i) => `act_sub-${i}`),
      ...Array.from({ length: 7 }, (_, i) => `act_csv-${i}`),
      ...Array.from({ length: 6 }, (_, i) => `act_nd-${i}`),
    ];
    await grantConsents(net.coordinator.service, V, subjects);
  });
  after(async () => {
    VaultRecords.onOpen = undefined;
    await http?.close();
    await net?.close();
    await store?.close();
  });

  it('stores JSON, CSV, NDJSON records and a PDF document, sealed', async () => {
    const json = Array.from({ length: 30 }, (_, i) => ({
      subject: `act_sub-${i % 10}`,
      fields: { merchant: marker(i), category: 'coffee', city: 'Singapore', total_amount: `${4 + (i % 5)}.50` },
    }));
    assert.equal((await call('POST', `/v1/vaults/${V}/records`, { records: json })).status, 201);
    const csv = [
      'subject,merchant,category,total_amount,city',
      ...Array.from(
        { length: 20 },
        (_, i) => `act_csv-${i % 7},"${marker(100 + i)}, Pte",coffee,${3 + (i % 4)}.25,Singapore`,
      ),
    ].join('\n');
    const up = await call('POST', `/v1/vaults/${V}/uploads`, csv, 'text/csv');
    assert.equal(up.status, 201, JSON.stringify(up.body));
    assert.equal(up.body.accepted, 20);
    const nd = Array.from({ length: 10 }, (_, i) =>
      JSON.stringify({
        subject: `act_nd-${i % 6}`,
        fields: { merchant: marker(200 + i), category: 'coffee', total_amount: '9.00' },
      }),
    ).join('\n');
    assert.equal((await call('POST', `/v1/vaults/${V}/uploads`, nd, 'application/x-ndjson')).body.accepted, 10);
    const pdf = Buffer.from(`%PDF-1.4\n% ${marker(300)}\n${'x'.repeat(600_000)}\n%%EOF\n`);
    const doc = await call(
      'POST',
      `/v1/vaults/${V}/documents?subject=act_sub-1&record_id=rec_doc-marker`,
      pdf,
      'application/pdf',
    );
    assert.equal(doc.status, 201, JSON.stringify(doc.body));
    assert.equal(await count(), 61);
    const sealed = await store.query<{ row: string }>(`select t::text as row from node_lioncity.sealed_records t`);
    const chunks = await store.query<{ row: string }>(
      `select encode(ciphertext, 'escape') as row from node_lioncity.document_chunks`,
    );
    assert.ok(chunks.length >= 2, 'the document is stored in sealed chunks');
    assert.doesNotMatch(
      [...sealed, ...chunks].map((r) => r.row).join('\n'),
      ANY_MARKER,
      'the Vault tables hold ciphertext only',
    );
  });

  it('refuses bad uploads with a 4xx naming the field and reason, storing nothing', async () => {
    const before = await count();
    const bad: [string, string, unknown, string, number, (b: Record<string, any>) => void][] = [
      [
        'wrong schema',
        `/v1/vaults/${V}/records`,
        { records: [{ subject: 'act_a', fields: { total_amount: marker(900) } }] },
        'application/json',
        422,
        (b) => assert.equal(b.code, 'invalid_records'),
      ],
      [
        'unknown attribute in CSV',
        `/v1/vaults/${V}/uploads`,
        `subject,colour\nact_a,${marker(901)}\n`,
        'text/csv',
        422,
        (b) => assert.equal(b.details.field, 'colour'),
      ],
      [
        'malformed CSV',
        `/v1/vaults/${V}/uploads`,
        `subject,merchant\nact_a,ok\nact_b,"${marker(902)}\nact_c,x,y\n`,
        'text/csv',
        400,
        (b) => {
          assert.equal(b.code, 'invalid_upload');
          assert.equal(b.details.line, 3);
        },
      ],
      [
        'wrong column count',
        `/v1/vaults/${V}/uploads`,
        `subject,merchant\nact_a,ok\nact_b,${marker(903)},extra\n`,
        'text/csv',
        400,
        (b) => assert.equal(b.details.line, 3),
      ],
      [
        'bad value on a later NDJSON line',
        `/v1/vaults/${V}/uploads`,
        `${JSON.stringify({ subject: 'act_a', fields: { merchant: 'ok' } })}\n${JSON.stringify({ subject: 'act_a', fields: { total_amount: marker(904) } })}\n`,
        'application/x-ndjson',
        422,
        (b) => {
          assert.equal(b.details.line, 2);
          assert.equal(b.details.field, 'total_amount');
        },
      ],
      [
        'oversized record',
        `/v1/vaults/${V}/uploads`,
        `${JSON.stringify({ subject: 'act_a', fields: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`merchant`, 'm'.repeat(1000) + i])) })}\n`,
        'application/x-ndjson',
        413,
        () => {},
      ],
      [
        'unknown Vault',
        '/v1/vaults/vlt_nowhere/uploads',
        'subject,merchant\nact_a,x\n',
        'text/csv',
        404,
        (b) => assert.equal(b.code, 'unknown_vault'),
      ],
      [
        'not a document',
        `/v1/vaults/${V}/documents?subject=act_a`,
        Buffer.from(`GIF89a ${marker(905)}`),
        'application/octet-stream',
        415,
        (b) => assert.equal(b.code, 'unsupported_media_type'),
      ],
    ];
    for (const [what, path, body, type, status, check] of bad) {
      const res = await call('POST', path, body, type);
      assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
      check(res.body);
      assert.ok(typeof res.body.message === 'string' && res.body.message.length > 0, what);
    }
    assert.equal(await count(), before, 'nothing of a refused upload is stored');
    const left = await store.query<{ n: bigint }>(
      `select count(*)::bigint as n from node_lioncity.sealed_records r join node_lioncity.uploads u
       on u.upload_no = r.upload_no where u.state <> 'committed'`,
    );
    assert.equal(Number(left[0]!.n), 0, 'no row of a refused upload is left behind');
  });

  it('refuses a producer over its quota and stores none of the upload', async () => {
    const before = await count();
    const rows = Array.from({ length: 1500 }, (_, i) => `act_heavy,m${i},coffee,1.00`);
    const res = await call(
      'POST',
      `/v1/vaults/${V}/uploads`,
      ['subject,merchant,category,total_amount', ...rows].join('\n'),
      'text/csv',
    );
    assert.equal(res.status, 429, JSON.stringify(res.body));
    assert.equal(res.body.code, 'quota_exceeded');
    assert.match(res.body.message, /act_heavy/);
    assert.equal(await count(), before, 'the first, accepted batch of the upload is not visible either');
  });

  it('keeps every marker inside the Vault node while every task class runs', async () => {
    broker.tapping = true;
    await runEveryTaskClass('clean');
    await call('GET', '/v1/vaults');
    await call('GET', `/v1/vaults/${V}/commitments`);
    assert.equal((await call('POST', `/v1/vaults/${V}/snapshots`)).status, 201);
    await call('GET', '/metrics');
    await call('POST', '/v1/epochs/close', {});
    broker.tapping = false;
    assert.ok(
      broker.seen.some((m) => m.includes('.execute')),
      'the tap saw execution traffic',
    );
    const text = await outside();
    assert.ok(text.includes('vault_snapshot_published'), 'the snapshot root is in the log');
    assert.doesNotMatch(text, ANY_MARKER);
  });

  it('fails the scan when a record leaks through a debug log (the scan can fail)', async () => {
    VaultRecords.onOpen = (_vault, record) => logger.debug({ record }, 'opened record');
    await call('POST', `/v1/vaults/${V}/records`, {
      records: Array.from({ length: 6 }, (_, i) => ({
        subject: `act_leak-${i}`,
        fields: { merchant: marker(500 + i), category: 'coffee', total_amount: '5.00' },
      })),
    });
    await runEveryTaskClass('leaky');
    VaultRecords.onOpen = undefined;
    assert.match(await outside(), ANY_MARKER, 'the scanner catches the planted leak');
  });
});
