/**
 * Semantic evolution on the embedded network: a task pinned to 1.0.0 resolves identically after
 * 1.1.0 (adds an attribute) and 2.0.0 (breaks one) are published; unknown versions and attributes
 * and a Vault mapping of another major are denied at admission; a candidate attribute proposed by
 * three Vaults in one epoch is promoted by governance into 1.2.0 and is then usable, through a
 * Vault mapping whose derivation rules (`total_amount = sum(items.price)`) run at execution.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SubmitTaskRequest } from '@symphony/api';
import type { AttributeDefinition, SemanticDomain } from '@symphony/protocol';
import type { FastifyInstance } from 'fastify';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { createHttpServer } from '../../src/application/http-server.ts';
import { ApiFailure } from '../../src/application/master-api.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { COMMERCE_RECEIPT_V1 } from '../../src/semantic/starter-registry.ts';
import { grantConsents } from '../support/consent.ts';
import { openTestPglite } from '../support/pglite.ts';
import { waitFor } from '../support/wait.ts';

const V1_1: SemanticDomain = {
  ...COMMERCE_RECEIPT_V1,
  semantic_version: '1.1.0',
  attributes: [
    ...COMMERCE_RECEIPT_V1.attributes,
    { name: 'channel', type: 'category', sensitivity: 'public', aggregations: ['count', 'group_by', 'filter'] },
  ],
};
const V2: SemanticDomain = {
  ...COMMERCE_RECEIPT_V1,
  semantic_version: '2.0.0',
  attributes: COMMERCE_RECEIPT_V1.attributes
    .filter((a) => a.name !== 'city')
    .map((a) => (a.name === 'total_amount' ? { ...a, unit: 'sgd' } : a)),
};
const PAYMENT_METHOD: AttributeDefinition = {
  name: 'payment_method',
  type: 'category',
  sensitivity: 'public',
  aggregations: ['count', 'group_by', 'filter'],
};

const subjects = Array.from({ length: 6 }, (_, i) => `act_e-${i}`);
const canonical = subjects.flatMap((subject, s) =>
  ['coffee', 'grocery'].map((category, i) => ({
    subject,
    fields: {
      merchant: 'Kopi',
      category,
      city: 'Singapore',
      total_amount: `${s + 2}.${i}5`,
      purchased_at: '2026-11-20T08:00:00Z',
    },
  })),
);

const sumTask = (version: string, attributes = ['category', 'total_amount'], vault = 'vlt_lioncity-app') =>
  ({
    class: 'compute',
    submitter: 'act_brand',
    consent_scope: 'analytics',
    targets: { vault_ids: [vault] },
    semantic: { domain: 'commerce.receipt', semantic_version: version, attributes },
    budget: { max_fee: '100000' },
    spec: {
      kind: 'compute',
      program: { type: 'builtin', operator: 'sum', attribute: 'total_amount' },
      filter: [{ attribute: 'category', op: 'eq', value: 'coffee' }],
    },
  }) satisfies SubmitTaskRequest;

describe('semantic layer: pinned versions, evolution and promotion', () => {
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

  const api = () => net.coordinator.service;
  const state = () => net.coordinator.follower.state;
  const verified = (id: string) =>
    waitFor(() => state().tasks[id]?.state === 'awaiting_settlement', `${id} verified`, 20_000);
  const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const r = await http.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: r.statusCode, body: r.json() };
  };
  const failureCode = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (error) {
      if (error instanceof ApiFailure) return { code: error.code, reason: error.details?.reason };
      throw error;
    }
    return undefined;
  };
  const publish = async (domain: SemanticDomain) => {
    const r = await net.coordinator.writer.append({ type: 'semantic_domain_published', domain });
    assert.equal(r.kind, 'applied');
  };
  const enterprisesCaughtUp = () =>
    waitFor(
      () => net.enterprises.every((e) => e.follower.state.head?.seq === state().head?.seq),
      'enterprise nodes folded the log',
      10_000,
    );

  let pinned: { task_id: string; resolution: unknown; output: unknown };

  it('binds a task pinned to 1.0.0 to a resolution artifact whose hash is in its envelope and the log', async () => {
    await api().ingest('vlt_lioncity-app', { records: canonical });
    await grantConsents(api(), 'vlt_lioncity-app', subjects);
    const { task } = await api().submitTask(sumTask('1.0.0'));
    await verified(task.task_id);
    const artifact = await call('GET', `/v1/tasks/${task.task_id}/resolution`);
    assert.equal(artifact.status, 200);
    assert.equal(artifact.body.resolution_hash, state().tasks[task.task_id]!.resolution_hash);
    const admitted = await net.coordinator.follower.entryAt(state().tasks[task.task_id]!.history[0]!.seq);
    assert.equal(
      admitted?.event.type === 'task_admitted' && admitted.event.envelope.semantic.resolution_hash,
      artifact.body.resolution_hash,
    );
    assert.deepEqual(artifact.body.resolution.bindings, [
      {
        vault_id: 'vlt_lioncity-app',
        attributes: [
          { attribute: 'category', derivation: 'category' },
          { attribute: 'total_amount', derivation: 'total_amount' },
        ],
      },
    ]);
    pinned = {
      task_id: task.task_id,
      resolution: artifact.body,
      output: (await api().taskResult(task.task_id)).output,
    };
  });

  it('resolves a 1.0.0 task identically after 1.1.0 and 2.0.0 are published', async () => {
    await publish(V1_1);
    await publish(V2);
    const domains = await call('GET', '/v1/semantic/domains');
    assert.deepEqual(
      domains.body.domains.map((d: SemanticDomain) => d.semantic_version),
      ['1.0.0', '1.1.0', '2.0.0'],
    );
    const again = await call('GET', `/v1/tasks/${pinned.task_id}/resolution`);
    assert.deepEqual(again.body, pinned.resolution);
    const { task } = await api().submitTask(sumTask('1.0.0'));
    await verified(task.task_id);
    const fresh = await api().semantic.resolution(task.task_id);
    assert.deepEqual(fresh.resolution.bindings, (pinned.resolution as typeof fresh).resolution.bindings);
    assert.deepEqual((await api().taskResult(task.task_id)).output, pinned.output);
    // 2.0.0 removed `city`: a 1.x task may still read it; a 2.0.0 task may not.
    assert.equal(
      (await failureCode(api().submitTask(sumTask('2.0.0', ['category', 'city', 'total_amount']))))?.code,
      'unknown_attribute',
    );
  });

  it('denies unknown versions, unknown attributes and a Vault mapped to another major, appending nothing', async () => {
    const map = await call('POST', '/v1/vaults/vlt_straits-wallet/semantic-mapping', {
      domain: 'commerce.receipt',
      semantic_version: '2.0.0',
      fields: [
        { attribute: 'category', derivation: 'category' },
        { attribute: 'total_amount', derivation: 'total_amount' },
      ],
    });
    assert.equal(map.status, 201, JSON.stringify(map.body));
    await grantConsents(api(), 'vlt_straits-wallet', subjects);
    const head = state().head!.seq;
    const tasks = Object.keys(state().tasks).length;
    const unknown = await call('POST', '/v1/tasks', sumTask('1.5.0'));
    assert.equal(unknown.status, 422);
    assert.equal(unknown.body.code, 'unknown_semantic_version');
    const newer = await call('POST', '/v1/tasks', sumTask('1.0.0', ['category', 'channel', 'total_amount']));
    assert.equal(newer.body.code, 'unknown_attribute', 'channel exists from 1.1.0 only');
    const incompatible = await call('POST', '/v1/tasks', sumTask('1.0.0', undefined, 'vlt_straits-wallet'));
    assert.equal(incompatible.status, 422);
    assert.equal(incompatible.body.code, 'incompatible_semantic_version');
    assert.equal(incompatible.body.details.semantic_version, '1.0.0');
    const missing = await call('GET', '/v1/semantic/domains/commerce.receipt/versions/9.9.9');
    assert.equal(missing.status, 422);
    assert.equal(missing.body.code, 'unknown_semantic_version');
    assert.equal(state().head!.seq, head);
    assert.equal(Object.keys(state().tasks).length, tasks, 'no task left behind');
    // The 2.0.0 mapping serves 2.0.0 tasks.
    const { task } = await api().submitTask(sumTask('2.0.0', undefined, 'vlt_straits-wallet'));
    await verified(task.task_id);
  });

  it('promotes a candidate proposed by three Vaults in one epoch into 1.2.0, and it is then usable', async () => {
    const epoch = state().current_epoch;
    const propose = (vault_id: string, attribute: AttributeDefinition) =>
      call('POST', '/v1/semantic/candidates', { vault_id, domain: 'commerce.receipt', attribute });
    const tier: AttributeDefinition = {
      name: 'loyalty_tier',
      type: 'category',
      sensitivity: 'personal',
      aggregations: ['count'],
    };
    for (const vault of ['vlt_lioncity-app', 'vlt_lioncity-loyalty', 'vlt_straits-wallet'])
      assert.equal((await propose(vault, PAYMENT_METHOD)).status, 201);
    for (const vault of ['vlt_lioncity-app', 'vlt_lioncity-loyalty'])
      assert.equal((await propose(vault, tier)).status, 201);
    const twice = await propose('vlt_lioncity-app', PAYMENT_METHOD);
    assert.equal(twice.body.code, 'semantic_refused');
    assert.equal(twice.body.details.reason, 'duplicate_proposal');
    const promotion = (attributes: string[]) => ({
      domain: 'commerce.receipt',
      from_version: '1.1.0',
      semantic_version: '1.2.0',
      epoch_id: epoch,
      attributes,
    });
    const early = await call('POST', '/v1/semantic/promotions', promotion(['payment_method']));
    assert.equal(early.body.details.reason, 'window_open', 'the epoch window is still open');

    await api().closeEpoch();
    const listed = await call('GET', `/v1/semantic/candidates?epoch_id=${epoch}`);
    assert.deepEqual(
      listed.body.candidates.map((c: { attribute: { name: string }; vaults: string[] }) => [
        c.attribute.name,
        c.vaults.length,
      ]),
      [
        ['loyalty_tier', 2],
        ['payment_method', 3],
      ],
    );
    const tooFew = await call('POST', '/v1/semantic/promotions', promotion(['loyalty_tier']));
    assert.equal(tooFew.status, 409);
    assert.equal(tooFew.body.details.reason, 'candidate_not_eligible');
    const promoted = await call('POST', '/v1/semantic/promotions', promotion(['payment_method']));
    assert.equal(promoted.status, 201, JSON.stringify(promoted.body));
    assert.deepEqual(
      promoted.body.attributes.map((a: AttributeDefinition) => a.name),
      [...V1_1.attributes.map((a) => a.name), 'payment_method'],
    );

    // A Vault serves 1.2.0 from its own local fields through derivation rules.
    const mapping = await call('POST', '/v1/vaults/vlt_lioncity-loyalty/semantic-mapping', {
      domain: 'commerce.receipt',
      semantic_version: '1.2.0',
      fields: [
        { attribute: 'merchant', derivation: 'shop_name' },
        { attribute: 'category', derivation: 'lower(kind)' },
        { attribute: 'total_amount', derivation: 'sum(items.price)' },
        { attribute: 'purchased_at', derivation: 'paid_at' },
        { attribute: 'payment_method', derivation: 'lower(pay)' },
      ],
    });
    assert.equal(mapping.status, 201, JSON.stringify(mapping.body));
    await enterprisesCaughtUp();
    const local = subjects.flatMap((subject, s) =>
      ['CARD', 'CASH', 'CARD'].map((pay, i) => ({
        subject,
        fields: {
          shop_name: 'Kopi Corner',
          kind: 'COFFEE',
          pay,
          paid_at: '2026-11-21T09:00:00Z',
          items: [{ price: `${s + 1}.50` }, { price: `0.${i + 1}5` }],
        },
      })),
    );
    const ingested = await api().ingest('vlt_lioncity-loyalty', { records: local });
    assert.equal(ingested.accepted, local.length);
    await grantConsents(api(), 'vlt_lioncity-loyalty', subjects);
    const request: SubmitTaskRequest = {
      ...sumTask('1.2.0', ['category', 'payment_method', 'total_amount'], 'vlt_lioncity-loyalty'),
      spec: {
        kind: 'compute',
        program: { type: 'builtin', operator: 'sum', attribute: 'total_amount' },
        filter: [{ attribute: 'payment_method', op: 'eq', value: 'card' }],
      },
    };
    const { task } = await api().submitTask(request);
    await verified(task.task_id);
    const cents = local
      .filter((r) => r.fields.pay === 'CARD')
      .reduce((sum, r) => sum + r.fields.items.reduce((s, it) => s + Math.round(Number(it.price) * 100), 0), 0);
    assert.deepEqual((await api().taskResult(task.task_id)).output, {
      operator: 'sum',
      attribute: 'total_amount',
      records: 12,
      subjects: 6,
      value: String(cents / 100),
    });
    const artifact = await api().semantic.resolution(task.task_id);
    assert.match(artifact.resolution.bindings[0]!.mapping_hash ?? '', /^[0-9a-f]{64}$/);
    assert.deepEqual(
      artifact.resolution.bindings[0]!.attributes.find((a) => a.attribute === 'total_amount'),
      { attribute: 'total_amount', derivation: 'sum(items.price)' },
    );
    // And the task pinned to 1.0.0 at the start still resolves as it did.
    assert.deepEqual(await api().semantic.resolution(pinned.task_id), pinned.resolution);
  });
});
