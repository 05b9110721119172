/**
 * Identity over the real HTTP edge of an embedded network: actors register (governance for any
 * role, a new key for itself as producer or submitter only), a Vault operator issues and revokes
 * grants on its Vault, a principal revokes its delegation credential. Each change shows in what
 * admission then allows, and each denial is a 4xx with its code that leaves the log unchanged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type DelegationCredential, delegationSigningBytes } from '@symphony/protocol';
import type { FastifyInstance } from 'fastify';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { createHttpServer } from '../../src/application/http-server.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { grantConsents } from '../support/consent.ts';
import { openTestPglite } from '../support/pglite.ts';
import { SeededKeyring } from '../support/seeded-keyring.ts';
import { type ActorKey, actorKey, signedInject, topologyActor } from '../support/signed-requests.ts';

const governance = actorKey('act_council');
const brand = actorKey('act_brand');
const narrow = actorKey('act_narrow');
const agent = actorKey('act_agent');
// The Vault operators sign with their node keys (registered for them at genesis).
const lioncity = actorKey('act_lioncity');
const straits = actorKey('act_straits');

const APP = 'vlt_lioncity-app';
const taskFor = (submitter: string, over: Record<string, unknown> = {}) => ({
  class: 'compute',
  submitter,
  consent_scope: 'analytics',
  targets: { vault_ids: [APP] },
  semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['category', 'total_amount'] },
  budget: { max_fee: '20000' },
  spec: {
    kind: 'compute',
    program: { type: 'builtin', operator: 'sum', attribute: 'total_amount' },
    filter: [{ attribute: 'category', op: 'eq', value: 'coffee' }],
  },
  ...over,
});
const grantBody = (grantee: string, over: Record<string, unknown> = {}) => ({
  grantee,
  task_classes: ['compute'],
  domain: 'commerce.receipt',
  attributes: ['category', 'total_amount'],
  ...over,
});

describe('identity routes: actors, grants and delegation revocation', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  let app: FastifyInstance;
  const state = () => net.coordinator.follower.state;
  const call = (key: ActorKey, method: string, url: string, payload?: unknown) =>
    signedInject(app, key, { method, url, ...(payload !== undefined ? { payload } : {}) });

  /** Asserts a denial: status, code, and no identity change or task left behind. */
  async function denied(res: Promise<{ statusCode: number; body: string; json(): any }>, status: number, code: string) {
    // Earlier tasks move on in the background, so compare what a denial could have changed.
    const identity = () =>
      JSON.stringify([state().actors, state().grants, state().revoked_delegations, Object.keys(state().tasks)]);
    const before = identity();
    const r = await res;
    assert.equal(r.statusCode, status, r.body);
    assert.equal(r.json().code, code, r.body);
    assert.equal(identity(), before, 'a denied request changed actors, grants, delegations or tasks');
    return r.json();
  }

  before(async () => {
    store = await openTestPglite();
    net = await openEmbeddedNetwork({
      store,
      keyring: new SeededKeyring({ 'node-lioncity': 'act_lioncity', 'node-straits': 'act_straits' }),
      pollIntervalMs: 20,
      actors: [
        topologyActor(governance, ['governance']),
        topologyActor(brand, ['task_submitter'], { balance: '1000000', allGrants: true }),
        topologyActor(narrow, ['task_submitter'], { balance: '1000000' }),
        topologyActor(agent, ['task_submitter']),
      ],
    });
    await grantConsents(net.coordinator.service, APP, ['act_sub-0']);
    app = await createHttpServer(net.coordinator.service);
  });
  after(async () => {
    await app?.close();
    await net?.close();
    await store?.close();
  });

  it('lets a new key register itself as a submitter, then sign requests', async () => {
    const newbie = actorKey('act_newbie');
    const res = await call(newbie, 'POST', '/v1/actors', {
      actor_id: newbie.keyid,
      roles: ['task_submitter'],
      public_key: newbie.publicKeyHex,
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(state().actors[newbie.keyid]?.roles, ['task_submitter']);
    assert.equal((await call(newbie, 'GET', '/v1/network')).statusCode, 200);
  });

  it('refuses self-registration with a privileged role, for another id, or with a key it does not hold', async () => {
    const eve = actorKey('act_eve');
    const body = { actor_id: eve.keyid, roles: ['governance'], public_key: eve.publicKeyHex };
    const privileged = await denied(call(eve, 'POST', '/v1/actors', body), 403, 'forbidden');
    assert.equal(privileged.details.reason, 'wrong_role');
    assert.equal(state().actors[eve.keyid], undefined);
    // Signed by a key that is neither registered nor the one registered: unauthenticated.
    const other = { actor_id: 'act_someone', roles: ['task_submitter'], public_key: eve.publicKeyHex };
    const r = await denied(call(eve, 'POST', '/v1/actors', other), 401, 'unauthenticated');
    assert.equal(r.details.reason, 'unknown_key');
    const forged = { actor_id: eve.keyid, roles: ['task_submitter'], public_key: actorKey('act_x').publicKeyHex };
    await denied(call(eve, 'POST', '/v1/actors', forged), 401, 'unauthenticated');
  });

  it('lets governance register any role, and nobody else register others', async () => {
    const executor = actorKey('act_new-executor');
    const body = { actor_id: executor.keyid, roles: ['executor'], public_key: executor.publicKeyHex };
    const notGov = await denied(call(brand, 'POST', '/v1/actors', body), 403, 'forbidden');
    assert.equal(notGov.details.reason, 'wrong_role');
    const res = await call(governance, 'POST', '/v1/actors', body);
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(state().actors[executor.keyid]?.roles, ['executor']);
    const again = await denied(call(governance, 'POST', '/v1/actors', body), 409, 'identity_refused');
    assert.equal(again.details.reason, 'actor_exists');
  });

  it('issues and revokes a grant: admission follows it', async () => {
    await denied(call(narrow, 'POST', '/v1/tasks', taskFor(narrow.keyid)), 403, 'not_granted');
    const issued = await call(lioncity, 'POST', `/v1/vaults/${APP}/grants`, grantBody(narrow.keyid));
    assert.equal(issued.statusCode, 201, issued.body);
    const grant = issued.json();
    assert.equal(grant.status, 'live');
    assert.equal(grant.issuer, 'act_lioncity');
    const admitted = await call(narrow, 'POST', '/v1/tasks', taskFor(narrow.keyid));
    assert.equal(admitted.statusCode, 201, admitted.body);
    const listed = await call(narrow, 'GET', `/v1/vaults/${APP}/grants?grantee=${narrow.keyid}`);
    assert.deepEqual(
      listed.json().grants.map((g: { grant_id: string }) => g.grant_id),
      [grant.grant_id],
    );

    const revoked = await call(lioncity, 'DELETE', `/v1/vaults/${APP}/grants/${grant.grant_id}`);
    assert.equal(revoked.statusCode, 200, revoked.body);
    assert.equal(revoked.json().status, 'revoked');
    await denied(call(narrow, 'POST', '/v1/tasks', taskFor(narrow.keyid)), 403, 'not_granted');
    const twice = await denied(
      call(lioncity, 'DELETE', `/v1/vaults/${APP}/grants/${grant.grant_id}`),
      409,
      'identity_refused',
    );
    assert.equal(twice.details.reason, 'grant_revoked');
  });

  it('refuses grants from a non-operator, from another Vault operator, and on an unknown Vault', async () => {
    const role = await denied(
      call(brand, 'POST', `/v1/vaults/${APP}/grants`, grantBody(narrow.keyid)),
      403,
      'forbidden',
    );
    assert.equal(role.details.reason, 'wrong_role');
    const other = await denied(
      call(straits, 'POST', `/v1/vaults/${APP}/grants`, grantBody(narrow.keyid)),
      403,
      'forbidden',
    );
    assert.equal(other.details.reason, 'not_vault_operator');
    const brandGrant = Object.values(state().grants).find((g) => g.grantee === brand.keyid && g.vault_id === APP)!;
    await denied(call(straits, 'DELETE', `/v1/vaults/${APP}/grants/${brandGrant.grant_id}`), 403, 'forbidden');
    await denied(
      call(lioncity, 'POST', '/v1/vaults/vlt_nowhere/grants', grantBody(narrow.keyid)),
      404,
      'unknown_vault',
    );
    const stranger = await denied(
      call(lioncity, 'POST', `/v1/vaults/${APP}/grants`, grantBody('act_nobody')),
      400,
      'invalid_request',
    );
    assert.equal(stranger.details.field, 'grantee');
  });

  it("logs a program approval through the Vault operator's route, and refuses others and repeats", async () => {
    const code_hash = 'ab'.repeat(32);
    const url = `/v1/vaults/${APP}/programs`;
    const byOther = await denied(call(straits, 'POST', url, { code_hash, action: 'approve' }), 403, 'forbidden');
    assert.equal(byOther.details.reason, 'not_vault_operator');
    await denied(call(brand, 'POST', url, { code_hash, action: 'approve' }), 403, 'forbidden');
    const approved = await call(lioncity, 'POST', url, { code_hash, action: 'approve' });
    assert.equal(approved.statusCode, 201, approved.body);
    assert.equal(state().program_approvals?.[APP]?.[code_hash]?.approved_seq, approved.json().seq);
    const again = await call(lioncity, 'POST', url, { code_hash, action: 'approve' });
    assert.equal(again.statusCode, 409, again.body);
    assert.equal(again.json().details.reason, 'program_already_approved');
    const revoked = await call(lioncity, 'POST', url, { code_hash, action: 'revoke' });
    assert.equal(revoked.statusCode, 201, revoked.body);
    assert.equal(state().program_approvals?.[APP]?.[code_hash]?.revoked_seq, revoked.json().seq);
  });

  it('revokes a delegation at its principal’s request only; later delegated tasks are refused', async () => {
    const credential: DelegationCredential = {
      schema_version: 1,
      principal: brand.keyid,
      agent: agent.keyid,
      vault_ids: [APP],
      task_classes: ['compute'],
      consent_scopes: ['analytics'],
      expires_at_ms: Date.now() + 3_600_000,
      max_spend: '100000',
      nonce: '0123456789abcdef0123',
    };
    const delegation = {
      credential,
      signature: Buffer.from(brand.sign(delegationSigningBytes(credential))).toString('hex'),
    };
    const first = await call(agent, 'POST', '/v1/tasks', taskFor(agent.keyid, { delegation }));
    assert.equal(first.statusCode, 201, first.body);
    const byAgent = await denied(call(agent, 'POST', '/v1/delegations/revoke', { credential }), 403, 'forbidden');
    assert.equal(byAgent.details.reason, 'not_principal');
    const revoked = await call(brand, 'POST', '/v1/delegations/revoke', { credential });
    assert.equal(revoked.statusCode, 200, revoked.body);
    await denied(call(agent, 'POST', '/v1/tasks', taskFor(agent.keyid, { delegation })), 403, 'delegation_invalid');
  });

  it('caps a delegation’s spend across all its tasks, not per task', async () => {
    const credential: DelegationCredential = {
      schema_version: 1,
      principal: brand.keyid,
      agent: agent.keyid,
      vault_ids: [APP],
      task_classes: ['compute'],
      consent_scopes: ['analytics'],
      expires_at_ms: Date.now() + 3_600_000,
      max_spend: '30000',
      nonce: 'fedcba9876543210fedc',
    };
    const delegation = {
      credential,
      signature: Buffer.from(brand.sign(delegationSigningBytes(credential))).toString('hex'),
    };
    // Each task's maximum fee (20000) is within the cap; the second would take the total past it.
    const first = await call(agent, 'POST', '/v1/tasks', taskFor(agent.keyid, { delegation }));
    assert.equal(first.statusCode, 201, first.body);
    const over = await denied(
      call(agent, 'POST', '/v1/tasks', taskFor(agent.keyid, { delegation })),
      403,
      'delegation_out_of_scope',
    );
    assert.equal(over.details.reason, 'delegation_spend_exceeded');
  });
});
