/**
 * A streamed upload is authenticated before its body arrives, so its signature covers the body's
 * Content-Digest and the edge checks the streamed bytes against it before anything commits: a
 * signed upload lands, one whose bytes differ from the signed digest is refused and stores
 * nothing, and one without a signed digest is refused before it is read.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { signRequest } from '@symphony/api';
import type { FastifyInstance } from 'fastify';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { createHttpServer } from '../../src/application/http-server.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { SUITE_ACTOR, suiteActors } from '../support/http-lifecycle-suite.ts';
import { openTestPglite } from '../support/pglite.ts';

const PATH = '/v1/vaults/vlt_lioncity-app/uploads';
const csv = (rows: number, tag: string) =>
  `subject,merchant,category,city,total_amount,purchased_at\n${Array.from(
    { length: rows },
    (_, i) => `act_up-${tag}-${i},Kopi Corner,coffee,Singapore,4.50,2026-11-20T09:30:00Z`,
  ).join('\n')}\n`;
const digestOf = (body: string) => `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;

describe('signed streamed uploads', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  let http: FastifyInstance;
  let base: string;

  /** Streams `body` (in chunks, with no Content-Length) under a signature over `signedDigest`. */
  const upload = async (body: string, signedDigest: string | undefined) => {
    const headers: Record<string, string> = {
      'content-type': 'text/csv',
      ...signRequest(
        SUITE_ACTOR,
        { method: 'POST', target: PATH, ...(signedDigest ? { contentDigest: signedDigest } : {}) },
        Math.floor(Date.now() / 1000),
        randomBytes(16).toString('hex'),
      ),
    };
    const bytes = new TextEncoder().encode(body);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 4096) controller.enqueue(bytes.slice(i, i + 4096));
        controller.close();
      },
    });
    const res = await fetch(base + PATH, { method: 'POST', headers, body: stream, duplex: 'half' } as RequestInit);
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const records = async () => (await net.coordinator.service.vaults!.show('vlt_lioncity-app')).record_count;

  before(async () => {
    store = await openTestPglite();
    net = await openEmbeddedNetwork({ store, keyring: new MemoryKeyring(), pollIntervalMs: 20, actors: suiteActors() });
    http = await createHttpServer(net.coordinator.service);
    base = await http.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await http?.close();
    await net?.close();
    await store?.close();
  });

  it('commits an upload whose bytes match the signed Content-Digest', async () => {
    const body = csv(500, 'ok');
    const res = await upload(body, digestOf(body));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.accepted, 500);
    assert.equal(await records(), 500);
  });

  it('refuses bytes that differ from the signed digest, and stores none of them', async () => {
    const signed = csv(500, 'signed');
    const sent = csv(500, 'swapped');
    const res = await upload(sent, digestOf(signed));
    assert.equal(res.status, 401);
    assert.equal(res.body.details.reason, 'digest_mismatch');
    assert.equal(await records(), 500);
  });

  it('refuses a streamed body whose signature covers no Content-Digest', async () => {
    const res = await upload(csv(10, 'bare'), undefined);
    assert.equal(res.status, 401);
    assert.equal(res.body.details.reason, 'wrong_components');
    assert.equal(await records(), 500);
  });
});
