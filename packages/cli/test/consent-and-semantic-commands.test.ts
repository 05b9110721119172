import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../src/program.ts';
import { argv, captureIo } from './support/capture-io.ts';
import { type FakeApi, startFakeApi } from './support/fake-api.ts';

const view = (subject: string, status = 'granted') => ({
  vault_id: 'vlt_shop',
  subject,
  scope: 'analytics',
  revision: status === 'granted' ? 1 : 2,
  status,
  expires_at_ms: 1_800_000_000_000,
  updated_seq: 9,
});

describe('consent and semantic commands against a fake node', () => {
  let api: FakeApi;
  before(async () => {
    api = await startFakeApi({
      'POST /v1/consents': (request) => ({
        status: 201,
        body: { consents: (request.body as { grants: { subject: string }[] }).grants.map((g) => view(g.subject)) },
      }),
      'POST /v1/consents/revoke': () => ({ body: view('act_ann', 'revoked') }),
      'GET /v1/semantic/domains': () => ({
        body: {
          domains: [
            {
              schema_version: 1,
              domain: 'commerce.receipt',
              semantic_version: '1.0.0',
              attributes: [{ name: 'merchant', type: 'string', sensitivity: 'public', aggregations: ['count'] }],
            },
          ],
        },
      }),
      'POST /v1/semantic/promotions': () => ({
        status: 409,
        body: { code: 'semantic_refused', message: 'the protocol refused it', details: { reason: 'window_open' } },
      }),
      'POST /v1/vaults/vlt_shop/semantic-mapping': (request) => ({ status: 201, body: request.body }),
    });
  });
  after(() => api.close());

  const run = async (...args: string[]) => {
    const io = captureIo();
    const code = await runCli(argv('--api', api.url, ...args), io);
    return { code, out: io.out(), err: io.err() };
  };

  it('grants consent for several subjects in one request with an expiry in days', async () => {
    const { code, out } = await run('consent', 'grant', 'vlt_shop', 'act_ann', 'act_bob', '--days', '30');
    assert.equal(code, 0);
    const body = api.requests.at(-1)?.body as { grants: { subject: string; scope: string; expires_at_ms: number }[] };
    assert.deepEqual(
      body.grants.map((g) => [g.subject, g.scope]),
      [
        ['act_ann', 'analytics'],
        ['act_bob', 'analytics'],
      ],
    );
    assert.ok(body.grants[0]!.expires_at_ms > Date.now() + 29 * 86_400_000);
    assert.match(out, /act_ann\s+analytics\s+granted/);
  });

  it('revokes, and refuses a bad Vault id or scope before calling the node', async () => {
    const { code, out } = await run('consent', 'revoke', 'vlt_shop', 'act_ann');
    assert.equal(code, 0);
    assert.match(out, /act_ann\s+analytics\s+revoked/);
    const seen = api.requests.length;
    assert.equal((await run('consent', 'revoke', 'shop', 'act_ann')).code, 2);
    assert.equal((await run('consent', 'grant', 'vlt_shop', 'act_ann', '--scope', 'spying')).code, 2);
    assert.equal(api.requests.length, seen);
  });

  it('lists the registry, sends mapping rules, and reports a refused promotion with its code', async () => {
    const domains = await run('semantic', 'domains');
    assert.equal(domains.code, 0);
    assert.match(domains.out, /commerce\.receipt\s+1\.0\.0\s+merchant/);
    const mapped = await run(
      'semantic',
      'map',
      'vlt_shop',
      '--domain',
      'commerce.receipt@1.0.0',
      '--rule',
      'total_amount=sum(items.price)',
      '--rule',
      'merchant=shop_name',
    );
    assert.equal(mapped.code, 0);
    assert.deepEqual(api.requests.at(-1)?.body, {
      domain: 'commerce.receipt',
      semantic_version: '1.0.0',
      fields: [
        { attribute: 'total_amount', derivation: 'sum(items.price)' },
        { attribute: 'merchant', derivation: 'shop_name' },
      ],
    });
    const promoted = await run(
      'semantic',
      'promote',
      '--domain',
      'commerce.receipt@1.0.0',
      '--to',
      '1.1.0',
      '--epoch',
      '1',
      '--attribute',
      'payment_method',
    );
    assert.equal(promoted.code, 1);
    assert.match(promoted.err, /semantic_refused/);
  });
});
