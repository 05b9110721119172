/**
 * Audience selection ("up to N users who bought from us"): the submitter gets a noisy eligible
 * count and a sealed handle, never identities or pseudonyms; only the Vault nodes can open the
 * handle, each finding its own matching subjects for downstream delivery. A handle does not open
 * for another task, and an audience under k_min is released empty, as when nobody is eligible.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SubmitTaskRequest } from '@symphony/api';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { grantConsents } from '../support/consent.ts';
import { openTestPglite } from '../support/pglite.ts';
import { waitFor } from '../support/wait.ts';

const VAULTS = ['vlt_lioncity-app', 'vlt_straits-wallet'];
const BUYERS = Array.from({ length: 30 }, (_, i) => `act_buyer-${i}`);

describe('audience selection', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  before(async () => {
    store = await openTestPglite();
    net = await openEmbeddedNetwork({ store, keyring: new MemoryKeyring(), pollIntervalMs: 20 });
    for (const [v, vault_id] of VAULTS.entries()) {
      // Buyers 0-19 bought from the brand (some in both Vaults); 20-29 bought elsewhere.
      const mine = BUYERS.filter((_, i) => i % 2 === v || i < 6);
      await net.coordinator.service.ingest(vault_id, {
        records: mine.map((subject) => ({
          subject,
          fields: {
            merchant: Number(subject.split('-')[1]) < 20 ? 'Kopi Brand' : 'Other',
            category: 'coffee',
            city: 'Singapore',
            total_amount: '5.00',
          },
        })),
      });
      await grantConsents(net.coordinator.service, vault_id, mine);
    }
    // Three consented buyers of a tiny cafe: an audience under k_min.
    await net.coordinator.service.ingest('vlt_lioncity-app', {
      records: ['act_buyer-0', 'act_buyer-2', 'act_buyer-4'].map((subject) => ({
        subject,
        fields: { merchant: 'Tiny Cafe', category: 'coffee', city: 'Singapore', total_amount: '3.00' },
      })),
    });
  });
  after(async () => {
    await net?.close();
    await store?.close();
  });

  const run = async (merchant: string, max: number) => {
    const { task } = await net.coordinator.service.submitTask({
      class: 'query',
      submitter: `act_brand-${merchant.length}-${max}`,
      consent_scope: 'analytics',
      targets: { vault_ids: VAULTS },
      semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['merchant'] },
      budget: { max_fee: '100000' },
      spec: {
        kind: 'query',
        filter: [{ attribute: 'merchant', op: 'eq', value: merchant }],
        group_by: [],
        aggregates: [{ fn: 'count_distinct_subjects' }],
        audience: { max_subjects: max },
      },
    } as SubmitTaskRequest);
    const t = () => net.coordinator.follower.state.tasks[task.task_id];
    await waitFor(() => ['awaiting_settlement', 'rejected'].includes(t()?.state ?? ''), merchant, 60_000);
    assert.equal(t()?.state, 'awaiting_settlement', t()?.reason_code);
    const result = await net.coordinator.service.taskResult(task.task_id);
    return {
      task_id: task.task_id,
      output: result.output as { audience: { eligible: number; bound99: number; handle: string | null } },
    };
  };

  it('gives the submitter a count and a handle that only the Vault nodes resolve, to at most max_subjects subjects', async () => {
    const { task_id, output } = await run('Kopi Brand', 12);
    const text = JSON.stringify(output);
    assert.ok(!text.includes('act_buyer'), 'no identity in the output');
    assert.ok(!/[0-9a-f]{32}/.test(text.replace(/"handle":"[^"]*"/, '')), 'no pseudonym in the output');
    assert.ok(Math.abs(output.audience.eligible - 20) <= output.audience.bound99);
    assert.match(output.audience.handle ?? '', /^aud1\./);
    const resolved = new Set<string>();
    for (const e of net.enterprises)
      for (const vault_id of VAULTS.filter((v) => (e.nodeId === 'node_lioncity') === v.startsWith('vlt_lioncity')))
        for (const s of await e.audienceMembers(vault_id, task_id, output.audience.handle!)) resolved.add(s);
    assert.equal(resolved.size, 12);
    for (const s of resolved) assert.ok(Number(s.split('-')[1]) < 20, `${s} bought from the brand`);
    await assert.rejects(
      net.enterprises[0]!.audienceMembers('vlt_lioncity-app', 'tsk_another', output.audience.handle!),
      (e: { code?: string }) => e.code === 'invalid_audience_handle',
    );
  });

  it('releases an audience under k_min exactly as an empty one', async () => {
    const few = await run('Tiny Cafe', 5);
    const none = await run('Nobody Else', 5);
    assert.deepEqual(few.output, none.output);
    assert.deepEqual(few.output, {
      rows: [],
      audience: { eligible: 0, bound99: few.output.audience.bound99, handle: null },
    });
  });

  it('refuses at admission a query the privacy policy refuses, naming the field, with nothing admitted', async () => {
    const before = Object.keys(net.coordinator.follower.state.tasks).length;
    await assert.rejects(
      net.coordinator.service.submitTask({
        class: 'query',
        submitter: 'act_brand',
        consent_scope: 'analytics',
        targets: { vault_ids: VAULTS },
        semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['total_amount'] },
        budget: { max_fee: '100000' },
        spec: { kind: 'query', filter: [], group_by: [], aggregates: [{ fn: 'sum', attribute: 'total_amount' }] },
      } as SubmitTaskRequest),
      (e: { code?: string; details?: { field?: string; reason?: string } }) =>
        e.code === 'invalid_query' &&
        e.details?.field === 'spec.aggregates[0].clamp' &&
        e.details.reason === 'missing_clamp',
    );
    assert.equal(Object.keys(net.coordinator.follower.state.tasks).length, before);
  });
});
