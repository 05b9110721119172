import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { contentDigest, parseSignature, signatureBase, targetComponents } from '@symphony/api';
import { verifyEd25519 } from '@symphony/protocol';
import { ApiClient } from '../src/api-client.ts';
import { KeyStore } from '../src/keys/key-store.ts';

describe('CLI keys and request signing', () => {
  it('creates 0600 keys, never overwrites one, and lists them', () => {
    const store = new KeyStore(join(mkdtempSync(join(tmpdir(), 'scs-keys-')), 'keys'));
    const key = store.create('act_alice');
    assert.equal(statSync(join(store.dir, 'act_alice.json')).mode & 0o777, 0o600);
    assert.throws(() => store.create('act_alice'), /already exists/);
    assert.throws(() => store.create('not-an-actor'), /not an actor id/);
    assert.deepEqual(store.list(), [{ actor_id: 'act_alice', public_key: key.publicKeyHex }]);
    assert.equal(store.defaultActor(), 'act_alice');
    assert.equal(store.load('act_alice')?.publicKeyHex, key.publicKeyHex);
  });

  it('signs every request so that the signature verifies over method, path, query and body digest', async () => {
    const store = new KeyStore(join(mkdtempSync(join(tmpdir(), 'scs-keys-')), 'keys'));
    const key = store.create('act_alice');
    const seen: { url: string; init: RequestInit }[] = [];
    const fetchStub = (async (url: string, init: RequestInit) => {
      seen.push({ url, init });
      return new Response(JSON.stringify({ tasks: [] }), { status: 200 });
    }) as unknown as typeof fetch;
    const client = new ApiClient({ baseUrl: 'http://node.test', fetch: fetchStub, signer: key });
    await client.listTasks({ state: 'completed', limit: 5 });
    await client.ingestRecords('vlt_a', { records: [] } as never).catch(() => undefined);
    const nonces = new Set<string>();
    for (const { url, init } of seen) {
      const headers = init.headers as Record<string, string>;
      const parsed = parseSignature(headers['signature-input'], headers.signature);
      assert.ok(parsed.ok);
      if (!parsed.ok) return;
      nonces.add(parsed.params.nonce);
      assert.equal(parsed.params.keyid, 'act_alice');
      const body = init.body as string | undefined;
      if (body !== undefined) assert.equal(headers['content-digest'], contentDigest(body));
      const components = {
        method: init.method!,
        ...targetComponents(url.slice('http://node.test'.length)),
        ...(body !== undefined ? { contentDigest: contentDigest(body) } : {}),
      };
      const base = new TextEncoder().encode(signatureBase(components, parsed.params));
      const hex = Buffer.from(parsed.signature).toString('hex');
      assert.ok(verifyEd25519(key.publicKeyHex, base, hex));
      // Any other query or body would not verify.
      const other = new TextEncoder().encode(signatureBase({ ...components, query: '?limit=6' }, parsed.params));
      assert.equal(verifyEd25519(key.publicKeyHex, other, hex), false);
    }
    assert.equal(nonces.size, seen.length);
  });
});
