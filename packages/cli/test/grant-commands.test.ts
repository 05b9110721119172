import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../src/program.ts';
import { argv, captureIo } from './support/capture-io.ts';
import { type FakeApi, startFakeApi } from './support/fake-api.ts';

const view = (status: string) => ({
  grant_id: 'grt_brand-shop',
  vault_id: 'vlt_shop',
  issuer: 'act_shop',
  grantee: 'act_brand',
  task_classes: ['compute', 'query'],
  domain: 'commerce.receipt',
  attributes: ['category', 'total_amount'],
  status,
  issued_seq: 12,
  ...(status === 'revoked' ? { revoked_seq: 15 } : {}),
});

describe('grant commands against a fake node', () => {
  let api: FakeApi;
  before(async () => {
    api = await startFakeApi({
      'POST /v1/vaults/vlt_shop/grants': () => ({ status: 201, body: view('live') }),
      'DELETE /v1/vaults/vlt_shop/grants/grt_brand-shop': () => ({ body: view('revoked') }),
      'GET /v1/vaults/vlt_shop/grants': () => ({ body: { grants: [view('live')] } }),
      'POST /v1/vaults/vlt_other/grants': () => ({
        status: 403,
        body: {
          code: 'forbidden',
          message: 'act_shop does not operate vlt_other',
          details: { reason: 'not_vault_operator' },
        },
      }),
    });
  });
  after(() => api.close());

  const run = async (...args: string[]) => {
    const io = captureIo();
    const code = await runCli(argv('--api', api.url, ...args), io);
    return { code, out: io.out(), err: io.err() };
  };

  it('issues a grant with sorted classes and attributes and an expiry in days', async () => {
    const { code, out } = await run(
      'grant',
      'issue',
      'vlt_shop',
      'act_brand',
      '--classes',
      'query,compute',
      '--attributes',
      'total_amount,category',
      '--days',
      '10',
    );
    assert.equal(code, 0);
    const body = api.requests.at(-1)?.body as Record<string, unknown>;
    assert.deepEqual(body.task_classes, ['compute', 'query']);
    assert.deepEqual(body.attributes, ['category', 'total_amount']);
    assert.equal(body.grantee, 'act_brand');
    assert.ok((body.expires_at_ms as number) > Date.now() + 9 * 86_400_000);
    assert.match(out, /grt_brand-shop\s+vlt_shop\s+act_brand\s+compute,query/);
  });

  it('revokes and lists', async () => {
    const revoked = await run('grant', 'revoke', 'vlt_shop', 'grt_brand-shop');
    assert.equal(revoked.code, 0);
    assert.equal(api.requests.at(-1)?.method, 'DELETE');
    assert.match(revoked.out, /revoked/);
    const listed = await run('grant', 'list', 'vlt_shop', '--grantee', 'act_brand', '--status', 'live');
    assert.equal(listed.code, 0);
    assert.equal(api.requests.at(-1)?.query.get('grantee'), 'act_brand');
    assert.match(listed.out, /live/);
  });

  it('refuses bad arguments before calling the node, and reports a refusal with its code', async () => {
    const seen = api.requests.length;
    assert.equal(
      (await run('grant', 'issue', 'vlt_shop', 'act_brand', '--classes', 'spy', '--attributes', 'x')).code,
      2,
    );
    assert.equal((await run('grant', 'issue', 'vlt_shop', 'act_brand', '--attributes', 'x')).code, 2);
    assert.equal((await run('grant', 'revoke', 'vlt_shop', 'nope')).code, 2);
    assert.equal(api.requests.length, seen);
    const refused = await run(
      'grant',
      'issue',
      'vlt_other',
      'act_brand',
      '--classes',
      'compute',
      '--attributes',
      'category',
    );
    assert.notEqual(refused.code, 0);
    assert.match(refused.err, /forbidden/);
  });
});
