/**
 * Query partials exist only inside enclaves: each subject gets marker amounts whose fixed-point
 * per-Vault totals (the numbers a plaintext partial carries) occur nowhere else, a query runs over
 * two Vaults on two nodes (so one partial crosses the bus), and then every bus message and reply,
 * every table of the store (masters, log, both enterprise nodes), and the released output are
 * scanned. The markers appear in the partials the Vault code computes (checked directly, so the scan
 * can fail), and never outside.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { SubmitTaskRequest } from '@symphony/api';
import { defaultQueryPolicy, planQuery } from '@symphony/protocol';
import { MemoryBroker } from '../../src/adapters/memory-bus.ts';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { computeVaultPartial } from '../../src/execution/query/vault-partial.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { grantConsents } from '../support/consent.ts';
import { openTestPglite } from '../support/pglite.ts';
import { waitFor } from '../support/wait.ts';

class TappedBroker extends MemoryBroker {
  readonly seen: string[] = [];
  override route(subject: string, data: string, reply: ((text: string) => void) | undefined): number {
    this.seen.push(`${subject} ${data}`);
    const tapped =
      reply &&
      ((text: string) => {
        this.seen.push(`reply ${subject} ${text}`);
        reply(text);
      });
    return super.route(subject, data, tapped);
  }
}

const VAULTS = ['vlt_lioncity-app', 'vlt_straits-wallet'];
const SUBJECTS = Array.from({ length: 8 }, (_, i) => `act_shopper-${i}`);
/** Subject i, Vault v: one record of 9871<i><v>3.47 (fixed point x100: 9871<i><v>347). */
const amount = (i: number, v: number) => `9871${i}${v}3.47`;
const fixedMarker = (i: number, v: number) => `9871${i}${v}347`;

const spec = {
  kind: 'query' as const,
  filter: [{ attribute: 'category', op: 'eq' as const, value: 'coffee' }],
  group_by: ['city'],
  aggregates: [
    { fn: 'count_distinct_subjects' as const },
    { fn: 'sum' as const, attribute: 'total_amount', clamp: { lower: '0', upper: '10000000' } },
  ],
};

describe('query partials never leave the enclaves', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  const broker = new TappedBroker();
  before(async () => {
    store = await openTestPglite();
    net = await openEmbeddedNetwork({ store, keyring: new MemoryKeyring(), broker, pollIntervalMs: 20 });
    for (const [v, vault_id] of VAULTS.entries()) {
      await net.coordinator.service.ingest(vault_id, {
        records: SUBJECTS.map((subject, i) => ({
          subject,
          fields: { merchant: 'Kopi', category: 'coffee', city: 'Singapore', total_amount: amount(i, v) },
        })),
      });
      await grantConsents(net.coordinator.service, vault_id, SUBJECTS);
    }
    // Two shoppers in Tampines: a group under k_min.
    await net.coordinator.service.ingest('vlt_straits-wallet', {
      records: ['act_few-0', 'act_few-1'].map((subject) => ({
        subject,
        fields: { merchant: 'Kopi', category: 'tea', city: 'Tampines', total_amount: '4.00' },
      })),
    });
    await grantConsents(net.coordinator.service, 'vlt_straits-wallet', ['act_few-0', 'act_few-1']);
  });
  after(async () => {
    await net?.close();
    await store?.close();
  });

  it('runs a two-node query whose partials appear in no message, table or answer', async () => {
    // The markers are what a plaintext partial would carry.
    const planned = planQuery(spec, defaultQueryPolicy(5));
    assert.ok(planned.ok);
    const partial = computeVaultPartial(
      'vlt_straits-wallet',
      SUBJECTS.map((subject, i) => ({
        subject,
        fields: { category: 'coffee', city: 'Singapore', total_amount: amount(i, 1) },
      })),
      spec.filter,
      planned.plan,
      0,
      (s) => createHmac('sha256', 'k').update(s).digest('hex').slice(0, 32),
    );
    assert.ok(JSON.stringify(partial).includes(fixedMarker(3, 1)), 'a plaintext partial carries the markers');

    broker.seen.length = 0;
    const { task } = await net.coordinator.service.submitTask({
      class: 'query',
      submitter: 'act_brand-kopi',
      consent_scope: 'analytics',
      targets: { vault_ids: VAULTS },
      semantic: {
        domain: 'commerce.receipt',
        semantic_version: '1.0.0',
        attributes: ['category', 'city', 'total_amount'],
      },
      budget: { max_fee: '100000' },
      spec,
    } as SubmitTaskRequest);
    const state = () => net.coordinator.follower.state.tasks[task.task_id];
    await waitFor(() => ['awaiting_settlement', 'rejected'].includes(state()?.state ?? ''), 'query done', 60_000);
    assert.equal(state()?.state, 'awaiting_settlement', state()?.reason_code);
    const result = await net.coordinator.service.taskResult(task.task_id);
    assert.equal(result.verified, true);
    const rows = (result.output as { rows: { group: Record<string, unknown> }[] }).rows;
    assert.deepEqual(
      rows.map((r) => r.group),
      [{ city: 'Singapore' }],
    );

    assert.ok(
      broker.seen.some((m) => m.includes('query_partial')),
      'a partial crossed the bus (sealed)',
    );
    const tables = await store.query<{ table_schema: string; table_name: string }>(
      `select table_schema, table_name from information_schema.tables
       where table_schema like 'node_%' or table_name = 'network_log'`,
    );
    assert.ok(tables.some((t) => t.table_schema.startsWith('node_straits')));
    const parts: string[] = [];
    for (const t of tables) {
      const rs = await store.query<{ row: string }>(
        `select t::text as row from "${t.table_schema}"."${t.table_name}" t`,
      );
      for (const r of rs) parts.push(r.row);
    }
    const outside = [...parts, ...broker.seen, JSON.stringify(result)].join('\n');
    for (const [i] of SUBJECTS.entries())
      for (const v of [0, 1])
        assert.ok(!outside.includes(fixedMarker(i, v)), `partial total ${fixedMarker(i, v)} leaked`);
    assert.ok(!/"subjects":\[\["[0-9a-f]{32}",/.test(outside), 'no plaintext partial structure outside');
  });

  it('answers a suppressed group exactly as an absent one over the network: same state, same bytes, no error code', async () => {
    const run = async (city: string) => {
      const { task } = await net.coordinator.service.submitTask({
        class: 'query',
        submitter: `act_probe-${city.toLowerCase()}`,
        consent_scope: 'analytics',
        targets: { vault_ids: VAULTS },
        semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['city', 'total_amount'] },
        budget: { max_fee: '100000' },
        spec: { ...spec, filter: [{ attribute: 'city', op: 'eq', value: city }] },
      } as SubmitTaskRequest);
      const state = () => net.coordinator.follower.state.tasks[task.task_id];
      await waitFor(() => ['awaiting_settlement', 'rejected'].includes(state()?.state ?? ''), city, 60_000);
      const result = await net.coordinator.service.taskResult(task.task_id);
      return { state: state()?.state, reason: state()?.reason_code, output: JSON.stringify(result.output) };
    };
    const suppressed = await run('Tampines');
    const absent = await run('Atlantis');
    assert.deepEqual(suppressed, absent);
    assert.deepEqual(suppressed, { state: 'awaiting_settlement', reason: undefined, output: '{"rows":[]}' });
  });
});
