/**
 * Consent end to end on the embedded network: a task whose target Vault holds no live consent
 * to its scope is denied (403, stable code, nothing appended); an admitted task counts only the
 * records of subjects that consented to its scope before its admission entry; a revocation binds
 * every task admitted after it and none admitted before.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SubmitTaskRequest } from '@symphony/api';
import type { UsageScope } from '@symphony/protocol';
import type { FastifyInstance } from 'fastify';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { createHttpServer } from '../../src/application/http-server.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { consentGrants, grantConsents } from '../support/consent.ts';
import { openTestPglite } from '../support/pglite.ts';
import { waitFor } from '../support/wait.ts';

const VAULT = 'vlt_lioncity-app';
const subjects = Array.from({ length: 8 }, (_, i) => `act_c-${i}`);
const records = subjects.flatMap((subject, s) =>
  Array.from({ length: 3 }, (_, i) => ({
    subject,
    fields: {
      merchant: 'Kopi',
      category: 'coffee',
      city: 'Singapore',
      total_amount: `${s + 1}.${i}0`,
      purchased_at: '2026-11-20T08:00:00Z',
    },
  })),
);

const countTask = (vault: string, scope: UsageScope = 'analytics'): SubmitTaskRequest => ({
  class: 'compute',
  submitter: 'act_brand',
  consent_scope: scope,
  targets: { vault_ids: [vault] },
  semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['category'] },
  budget: { max_fee: '100000' },
  spec: { kind: 'compute', program: { type: 'builtin', operator: 'count' }, filter: [] },
});

describe('consent: admission denials and per-record filtering', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  let http: FastifyInstance;
  before(async () => {
    store = await openTestPglite();
    net = await openEmbeddedNetwork({ store, keyring: new MemoryKeyring(), pollIntervalMs: 20 });
    // Identity is not what this test is about (admission-denials and http-lifecycle sign every request).
    http = await createHttpServer(net.coordinator.service, { authentication: false });
  });
  after(async () => {
    await http?.close();
    await net?.close();
    await store?.close();
  });

  const state = () => net.coordinator.follower.state;
  const post = async (url: string, payload: unknown) => {
    const r = await http.inject({ method: 'POST', url, payload: payload as object });
    return { status: r.statusCode, body: r.json() };
  };
  const verified = (id: string) =>
    waitFor(() => state().tasks[id]?.state === 'awaiting_settlement', `${id} verified`, 20_000);

  it('denies a task whose target Vault holds no consent to its scope, and appends nothing', async () => {
    await net.coordinator.service.ingest(VAULT, { records });
    const head = state().head!.seq;
    const denied = await post('/v1/tasks', countTask(VAULT));
    assert.equal(denied.status, 403);
    assert.equal(denied.body.code, 'consent_missing');
    assert.deepEqual(denied.body.details, { vault_id: VAULT, scope: 'analytics' });
    assert.equal(state().head!.seq, head, 'nothing appended');
    assert.deepEqual(Object.keys(state().tasks), []);
  });

  it('counts only records of subjects with a live consent at admission; a revocation binds later tasks only', async () => {
    // Seven subjects consent to analytics; the eighth consents to marketing only.
    await grantConsents(net.coordinator.service, VAULT, subjects.slice(0, 7), 'analytics');
    await grantConsents(net.coordinator.service, VAULT, subjects.slice(7), 'marketing');
    const first = (await net.coordinator.service.submitTask(countTask(VAULT))).task;
    const revoked = await post('/v1/consents/revoke', { vault_id: VAULT, subject: subjects[0], scope: 'analytics' });
    assert.equal(revoked.status, 200);
    assert.equal(revoked.body.status, 'revoked');
    const second = (await net.coordinator.service.submitTask(countTask(VAULT))).task;
    await verified(first.task_id);
    await verified(second.task_id);

    const before = await net.coordinator.service.taskResult(first.task_id);
    assert.deepEqual(before.output, { operator: 'count', records: 21, subjects: 7, value: 21 });
    const afterRevocation = await net.coordinator.service.taskResult(second.task_id);
    assert.deepEqual(afterRevocation.output, { operator: 'count', records: 18, subjects: 6, value: 18 });
    const producers = (id: string) =>
      state()
        .tasks[id]!.contributions!.filter((c) => c.role === 'data_producer')
        .map((c) => c.account)
        .sort();
    assert.deepEqual(producers(first.task_id), subjects.slice(0, 7));
    assert.deepEqual(
      producers(second.task_id),
      subjects.slice(1, 7),
      'neither the revoked nor the other-scope subject',
    );
    assert.equal(state().tasks[second.task_id]!.usage!.records_scanned, 18);

    const listed = net.coordinator.service.consent.list({ vault_id: VAULT, subject: subjects[0]! });
    assert.deepEqual(
      listed.consents.map((c) => [c.scope, c.status, c.revision]),
      [['analytics', 'revoked', 2]],
    );
  });

  it('denies with consent_revoked when every consent to the scope in a Vault was withdrawn', async () => {
    const vault = 'vlt_straits-wallet';
    await grantConsents(net.coordinator.service, vault, ['act_c-0'], 'marketing');
    await net.coordinator.service.consent.revoke({ vault_id: vault, subject: 'act_c-0', scope: 'marketing' });
    const head = state().head!.seq;
    const tasks = Object.keys(state().tasks).length;
    const denied = await post('/v1/tasks', countTask(vault, 'marketing'));
    assert.equal(denied.status, 403);
    assert.equal(denied.body.code, 'consent_revoked');
    assert.equal(state().head!.seq, head);
    assert.equal(Object.keys(state().tasks).length, tasks, 'no task left behind');
  });

  it('answers consent mistakes with stable codes and appends nothing', async () => {
    const head = state().head!.seq;
    const never = await post('/v1/consents/revoke', { vault_id: VAULT, subject: 'act_nobody', scope: 'analytics' });
    assert.equal(never.status, 404);
    assert.equal(never.body.code, 'consent_not_found');
    const nowhere = await post('/v1/consents', { grants: consentGrants('vlt_nowhere', ['act_c-1']) });
    assert.equal(nowhere.status, 404);
    assert.equal(nowhere.body.code, 'unknown_vault');
    const lapsed = await post('/v1/consents', { grants: consentGrants(VAULT, ['act_c-1'], 'research', 1000) });
    assert.equal(lapsed.status, 409);
    assert.equal(lapsed.body.code, 'consent_refused');
    assert.equal(lapsed.body.details.reason, 'consent_expired');
    assert.equal(state().head!.seq, head);
  });
});
