import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { coffeeSumRequest } from '../support/compute-requests.ts';
import { grantConsents } from '../support/consent.ts';
import { openTestPglite, pgliteTemplate } from '../support/pglite.ts';
import { waitFor } from '../support/wait.ts';

const subjects = Array.from({ length: 8 }, (_, i) => `act_sub-${i}`);
const receipts = (n: number, category: string) =>
  Array.from({ length: n }, (_, i) => ({
    subject: subjects[i % subjects.length]!,
    fields: {
      merchant: `Shop ${i % 3}`,
      category,
      city: 'Singapore',
      total_amount: `${(i % 7) + 3}.50`,
      purchased_at: '2026-11-20T08:00:00Z',
    },
  }));

/** The one-thread layout, and the one with the pipeline (masters 2-3, the enterprise nodes) in a worker thread. */
const layouts = [
  { name: 'embedded network', pipelineThread: false },
  { name: 'embedded network with its pipeline in a worker thread', pipelineThread: true },
] as const;

for (const layout of layouts)
  describe(`${layout.name}: a compute task from admission to a finalized settlement`, () => {
    let store: PgliteStore;
    let net: EmbeddedNetwork;
    before(async () => {
      store = await openTestPglite();
      net = await openEmbeddedNetwork({
        store,
        keyring: new MemoryKeyring(),
        pollIntervalMs: 20,
        ...(layout.pipelineThread ? { pipelineThread: { store: { loadDataDir: await pgliteTemplate() } } } : {}),
      });
    });
    after(async () => {
      await net?.close();
      await store?.close();
    });

    it('ingests, executes, verifies, settles and rewards', async () => {
      const api = net.coordinator.service;
      const coffee = receipts(20, 'coffee');
      const ingested = await api.ingest('vlt_lioncity-app', { records: [...coffee, ...receipts(6, 'grocery')] });
      const expectedCents = coffee.reduce((sum, r) => sum + Math.round(Number(r.fields.total_amount) * 100), 0);
      assert.equal(ingested.accepted, 26);
      await grantConsents(api, 'vlt_lioncity-app', subjects);
      const { task, created } = await api.submitTask(coffeeSumRequest('vlt_lioncity-app'), 'smoke-1');
      assert.ok(created);
      await waitFor(
        () => net.coordinator.follower.state.tasks[task.task_id]?.state === 'awaiting_settlement',
        'task verified',
        20_000,
      );
      const result = await api.taskResult(task.task_id);
      assert.deepEqual(result.output, {
        operator: 'sum',
        attribute: 'total_amount',
        records: 20,
        subjects: 8,
        value: String(expectedCents / 100),
      });
      await api.closeEpoch();
      await waitFor(
        () => net.coordinator.follower.state.settlements[1]?.state === 'finalized',
        'epoch finalized',
        20_000,
      );
      const settlement = api.settlement(1)!;
      assert.match(settlement.certificate!.statement.settlement_root, /^[0-9a-f]{64}$/);
      assert.ok(settlement.certificate!.signatures.length >= 2);
      assert.equal(net.coordinator.follower.state.tasks[task.task_id]!.state, 'completed');
      const rewards = api.rewards({ epochId: 1 });
      assert.ok(rewards.rewards.length > 0);
      // Fee shares sum to the fee; the default economics adds emission shares on top.
      const feeShares = rewards.rewards
        .filter((r) => r.source !== 'emission')
        .reduce((sum, r) => sum + BigInt(r.amount ?? '0'), 0n);
      assert.equal(String(feeShares), net.coordinator.follower.state.tasks[task.task_id]!.fee);
      assert.ok(rewards.rewards.some((r) => r.source === 'emission'));
      if (!layout.pipelineThread) {
        for (const m of net.masters) assert.equal(m.follower.state.settlements[1]?.state, 'finalized');
        return;
      }
      assert.deepEqual(
        net.masters.map((m) => m.nodeId),
        ['node_master-1'],
        'the other masters run in the worker',
      );
      assert.deepEqual(net.enterprises, []);
      // The worker's masters fold the log too: they reach the finalization entry.
      const finalizedAt = net.coordinator.follower.state.head!.seq;
      await waitFor(
        () => [...net.pipeline!.masters.values()].every((m) => m.log_position >= finalizedAt),
        'worker masters folded the finalization',
        20_000,
      );
      assert.equal(net.pipeline!.masters.size, 2);
    });

    it('ends a task the node honestly cannot execute as rejected with its reason, and rewards nobody for it', async () => {
      const api = net.coordinator.service;
      const { task } = await api.submitTask({
        class: 'compute',
        submitter: 'act_brand',
        consent_scope: 'analytics',
        targets: { vault_ids: ['vlt_lioncity-app'] },
        semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['total_amount'] },
        budget: { max_fee: '100000' },
        spec: {
          kind: 'compute',
          program: { type: 'sandbox', code_hash: 'ab'.repeat(32), max_output_bytes: 1024 },
          filter: [],
        },
      });
      await waitFor(() => net.coordinator.follower.state.tasks[task.task_id]?.state === 'rejected', 'rejected', 20_000);
      const t = net.coordinator.follower.state.tasks[task.task_id]!;
      assert.equal(t.reason_code, 'program_source_missing');
      assert.deepEqual(
        t.history.map((h) => h.state),
        ['accepted', 'resolving', 'dispatched', 'rejected'],
      );
      assert.deepEqual(t.reward_ids, []);
    });
  });
