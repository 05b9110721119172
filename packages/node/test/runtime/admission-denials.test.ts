/**
 * Every admission denial over the real HTTP edge of an embedded network: unsigned, bad signature,
 * replayed nonce, expired signature, wrong role, Vault or attribute outside the grant, expired or
 * over-scope delegation, quota exceeded, rate limited, insufficient budget, under-staked executor.
 * Each is a 4xx with its catalog code, and none leaves a task, an escrow or a charge behind.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type DelegationCredential, delegationSigningBytes, escrowedBy } from '@symphony/protocol';
import type { FastifyInstance } from 'fastify';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { createHttpServer } from '../../src/application/http-server.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { coffeeSumRequest } from '../support/compute-requests.ts';
import { grantConsents } from '../support/consent.ts';
import { openTestPglite } from '../support/pglite.ts';
import { type ActorKey, actorKey, signedHeaders, signedInject, topologyActor } from '../support/signed-requests.ts';

const brand = actorKey('act_brand');
const narrow = actorKey('act_narrow');
const agent = actorKey('act_agent');
const producer = actorKey('act_producer');
const poor = actorKey('act_poor');
const extraOperator = actorKey('act_extra');

const taskFor = (submitter: string, over: Record<string, unknown> = {}) => ({
  ...coffeeSumRequest('vlt_lioncity-app'),
  submitter,
  budget: { max_fee: '50000' },
  ...over,
});

describe('admission denials over HTTP', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  let app: FastifyInstance;
  const state = () => net.coordinator.follower.state;

  /** Asserts a denial: status, code, and no task, escrow or balance change. */
  async function denied(
    key: ActorKey,
    body: unknown,
    status: number,
    code: string,
    extra: { headers?: Record<string, string> } = {},
  ) {
    const tasks = Object.keys(state().tasks).length;
    const balances = JSON.stringify(state().accounts);
    const escrow = escrowedBy(state(), key.keyid);
    const res = await signedInject(app, key, {
      method: 'POST',
      url: '/v1/tasks',
      payload: body,
      ...(extra.headers ? { headers: extra.headers } : {}),
    });
    assert.equal(res.statusCode, status, res.body);
    assert.equal(res.json().code, code, res.body);
    assert.equal(Object.keys(state().tasks).length, tasks, 'a denied request left a task');
    assert.equal(JSON.stringify(state().accounts), balances, 'a denied request changed a balance');
    assert.equal(escrowedBy(state(), key.keyid), escrow, 'a denied request left an escrow');
    return res.json();
  }

  before(async () => {
    store = await openTestPglite();
    net = await openEmbeddedNetwork({
      store,
      keyring: new MemoryKeyring(),
      pollIntervalMs: 20,
      openTaskQuota: 2,
      actors: [
        topologyActor(brand, ['task_submitter'], { balance: '200000', allGrants: true }),
        topologyActor(narrow, ['task_submitter'], { balance: '200000' }),
        topologyActor(agent, ['task_submitter'], { balance: '0' }),
        topologyActor(producer, ['data_producer'], { balance: '0' }),
        topologyActor(poor, ['task_submitter'], { balance: '10', allGrants: true }),
      ],
    });
    const w = net.coordinator.writer;
    const must = async (event: Parameters<typeof w.append>[0]) => {
      const r = await w.append(event);
      assert.equal(r.kind, 'applied', JSON.stringify(r));
    };
    await must({
      type: 'vault_grant_issued',
      grant: {
        schema_version: 1,
        grant_id: 'grt_narrow-app',
        vault_id: 'vlt_lioncity-app',
        issuer: 'act_lioncity',
        grantee: narrow.keyid,
        task_classes: ['compute'],
        domain: 'commerce.receipt',
        attributes: ['category', 'total_amount'],
      },
    });
    // An enterprise node whose operator bonds no stake: its executor may get no work.
    const enterprise = net.topology.enterprises[0]!.node_id;
    await must({
      type: 'node_registered',
      node_id: 'node_extra',
      kind: 'enterprise',
      public_key: state().enterprise_nodes[enterprise]!.public_key,
      operator: extraOperator.keyid,
    });
    await must({
      type: 'vault_registered',
      vault_id: 'vlt_extra',
      node_id: 'node_extra',
      operator: extraOperator.keyid,
    });
    await must({
      type: 'actor_registered',
      actor_id: extraOperator.keyid,
      roles: ['executor', 'vault_operator'],
      public_key: extraOperator.publicKeyHex,
    });
    await must({
      type: 'vault_grant_issued',
      grant: {
        schema_version: 1,
        grant_id: 'grt_brand-extra',
        vault_id: 'vlt_extra',
        issuer: extraOperator.keyid,
        grantee: brand.keyid,
        task_classes: ['compute'],
        domain: 'commerce.receipt',
        attributes: ['category', 'total_amount'],
      },
    });
    // A subject of each Vault consents, so admission gets past consent to the checks under test.
    for (const vault of ['vlt_lioncity-app', 'vlt_straits-wallet'])
      await grantConsents(net.coordinator.service, vault, ['act_sub-0']);
    app = await createHttpServer(net.coordinator.service);
  });
  after(async () => {
    await app?.close();
    await net?.close();
    await store?.close();
  });

  it('refuses unsigned, forged, replayed and stale requests with 401 unauthenticated', async () => {
    const body = JSON.stringify(taskFor(brand.keyid));
    const tasks = Object.keys(state().tasks).length;
    const unsigned = await app.inject({
      method: 'POST',
      url: '/v1/tasks',
      payload: body,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(unsigned.statusCode, 401);
    assert.equal(unsigned.json().details.reason, 'missing_signature');

    const headers = signedHeaders(brand, 'POST', '/v1/tasks', body);
    const tampered = body.replace('"50000"', '"50001"');
    const forged = await app.inject({
      method: 'POST',
      url: '/v1/tasks',
      payload: tampered,
      headers: { 'content-type': 'application/json', ...headers, 'content-digest': headers['content-digest']! },
    });
    assert.equal(forged.statusCode, 401);
    assert.equal(forged.json().details.reason, 'digest_mismatch');

    const otherKey = { ...actorKey('act_mallory'), keyid: brand.keyid };
    const impostor = await signedInject(app, otherKey, { method: 'POST', url: '/v1/tasks', payload: body });
    assert.equal(impostor.statusCode, 401);
    assert.equal(impostor.json().details.reason, 'bad_signature');

    const stale = signedHeaders(brand, 'GET', '/v1/tasks', undefined, Math.floor(Date.now() / 1000) - 3600);
    const old = await app.inject({ method: 'GET', url: '/v1/tasks', headers: stale });
    assert.equal(old.statusCode, 401);
    assert.equal(old.json().details.reason, 'signature_expired');

    const once = signedHeaders(brand, 'GET', '/v1/network');
    assert.equal((await app.inject({ method: 'GET', url: '/v1/network', headers: once })).statusCode, 200);
    const replayed = await app.inject({ method: 'GET', url: '/v1/network', headers: once });
    assert.equal(replayed.statusCode, 401);
    assert.equal(replayed.json().details.reason, 'replayed_nonce');
    // A restarted edge (its clock 10 s on) has forgotten the nonces the old one saw: it refuses what
    // was signed before it started, and accepts a fresh signature.
    const restarted = await createHttpServer(net.coordinator.service, {
      authentication: { now: () => Date.now() + 10_000 },
    });
    const afterRestart = await restarted.inject({ method: 'GET', url: '/v1/network', headers: once });
    assert.equal(afterRestart.statusCode, 401);
    assert.equal(afterRestart.json().details.reason, 'replayed_nonce');
    const fresh = signedHeaders(brand, 'GET', '/v1/network', undefined, Math.floor(Date.now() / 1000) + 10);
    assert.equal((await restarted.inject({ method: 'GET', url: '/v1/network', headers: fresh })).statusCode, 200);
    await restarted.close();

    const stranger = await signedInject(app, actorKey('act_stranger'), { url: '/v1/network' });
    assert.equal(stranger.json().details.reason, 'unknown_key');
    assert.equal(Object.keys(state().tasks).length, tasks);
  });

  it('refuses a wrong role and a submitter other than the signer with 403 forbidden', async () => {
    const wrongRole = await denied(producer, taskFor(producer.keyid), 403, 'forbidden');
    assert.equal(wrongRole.details.reason, 'wrong_role');
    const close = await signedInject(app, brand, { method: 'POST', url: '/v1/epochs/current/close' });
    assert.equal(close.statusCode, 403);
    const mismatch = await denied(narrow, taskFor(brand.keyid), 403, 'forbidden');
    assert.equal(mismatch.details.reason, 'submitter_mismatch');
  });

  it('refuses a Vault or an attribute outside the grant with 403 not_granted', async () => {
    await denied(narrow, taskFor(narrow.keyid, { targets: { vault_ids: ['vlt_straits-wallet'] } }), 403, 'not_granted');
    await denied(
      narrow,
      taskFor(narrow.keyid, {
        semantic: {
          domain: 'commerce.receipt',
          semantic_version: '1.0.0',
          attributes: ['category', 'city', 'total_amount'],
        },
      }),
      403,
      'not_granted',
    );
    const hidden = await denied(
      narrow,
      taskFor(narrow.keyid, {
        spec: {
          kind: 'compute',
          program: { type: 'builtin', operator: 'count' },
          filter: [{ attribute: 'city', op: 'eq', value: 'x' }],
        },
      }),
      403,
      'not_granted',
    );
    assert.equal(hidden.details.reason, 'attribute_not_declared');
    await denied(
      narrow,
      taskFor(narrow.keyid, {
        class: 'query',
        spec: { kind: 'query', filter: [], group_by: [], aggregates: [{ fn: 'count_distinct_subjects' }] },
      }),
      403,
      'not_granted',
    );
  });

  it('refuses an expired, over-scope or forged delegation, and admits a valid one', async () => {
    const credential = (over: Partial<DelegationCredential> = {}): DelegationCredential => ({
      schema_version: 1,
      principal: brand.keyid,
      agent: agent.keyid,
      vault_ids: ['vlt_lioncity-app'],
      task_classes: ['compute'],
      consent_scopes: ['analytics'],
      expires_at_ms: Date.now() + 3_600_000,
      max_spend: '60000',
      nonce: '0123456789abcdef',
      ...over,
    });
    const signed = (c: DelegationCredential, by: ActorKey = brand) => ({
      credential: c,
      signature: Buffer.from(by.sign(delegationSigningBytes(c))).toString('hex'),
    });
    const delegated = (c: DelegationCredential, over: Record<string, unknown> = {}, by?: ActorKey) =>
      taskFor(agent.keyid, { delegation: signed(c, by), ...over });
    await denied(agent, delegated(credential({ expires_at_ms: Date.now() - 1 })), 403, 'delegation_expired');
    await denied(
      agent,
      delegated(credential(), { targets: { vault_ids: ['vlt_straits-wallet'] } }),
      403,
      'delegation_out_of_scope',
    );
    await denied(agent, delegated(credential(), { budget: { max_fee: '60001' } }), 403, 'delegation_out_of_scope');
    await denied(agent, delegated(credential(), {}, agent), 403, 'delegation_invalid');

    const ok = await signedInject(app, agent, { method: 'POST', url: '/v1/tasks', payload: delegated(credential()) });
    assert.equal(ok.statusCode, 201, ok.body);
    // The principal pays: its free balance now excludes the escrowed maximum fee.
    assert.equal(escrowedBy(state(), brand.keyid), 50000n);
  });

  it('refuses insufficient budget with 402 and an under-staked executor with 422', async () => {
    const budget = await denied(poor, taskFor(poor.keyid, { budget: { max_fee: '11' } }), 402, 'insufficient_budget');
    assert.equal(budget.details.available, '10');
    await denied(brand, taskFor(brand.keyid, { targets: { vault_ids: ['vlt_extra'] } }), 422, 'executor_understaked');
  });

  it('refuses the task over the open-task quota with 429 quota_exceeded', async () => {
    const first = await signedInject(app, narrow, {
      method: 'POST',
      url: '/v1/tasks',
      payload: taskFor(narrow.keyid, { budget: { max_fee: '1000' } }),
    });
    assert.equal(first.statusCode, 201, first.body);
    const second = await signedInject(app, narrow, {
      method: 'POST',
      url: '/v1/tasks',
      payload: taskFor(narrow.keyid, { budget: { max_fee: '1000' } }),
    });
    assert.equal(second.statusCode, 201, second.body);
    const third = await denied(narrow, taskFor(narrow.keyid, { budget: { max_fee: '1000' } }), 429, 'quota_exceeded');
    assert.equal(third.details.limit, 2);
  });

  it('rate-limits an actor with a token bucket: 429 rate_limited with Retry-After', async () => {
    const limited = await createHttpServer(net.coordinator.service, {
      authentication: { rateLimit: { capacity: 2, refillPerSecond: 0.01 } },
    });
    try {
      for (let i = 0; i < 2; i++)
        assert.equal((await signedInject(limited, brand, { url: '/v1/network' })).statusCode, 200);
      const res = await signedInject(limited, brand, { url: '/v1/network' });
      assert.equal(res.statusCode, 429);
      assert.equal(res.json().code, 'rate_limited');
      assert.ok(Number(res.headers['retry-after']) >= 1);
      // Another actor has its own bucket.
      assert.equal((await signedInject(limited, narrow, { url: '/v1/network' })).statusCode, 200);
    } finally {
      await limited.close();
    }
  });
});
