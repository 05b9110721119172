/**
 * When the enterprise node hosting a task's Vault does not answer, the coordinator retries with
 * backoff and, once the log time passes the deadline, ends the task `timed_out`; a node that comes
 * back in time gets the work and the task completes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { grantConsents } from '../support/consent.ts';
import { openTestPglite } from '../support/pglite.ts';
import { waitFor } from '../support/wait.ts';

const request = (vault: string, timeout_ms: number) => ({
  class: 'compute' as const,
  submitter: 'act_brand',
  consent_scope: 'analytics' as const,
  targets: { vault_ids: [vault] },
  semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['total_amount'] },
  budget: { max_fee: '100000' },
  timeout_ms,
  spec: { kind: 'compute' as const, program: { type: 'builtin' as const, operator: 'count' as const }, filter: [] },
});

describe('coordination: retries and deadlines', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  before(async () => {
    store = await openTestPglite();
    net = await openEmbeddedNetwork({
      store,
      keyring: new MemoryKeyring(),
      pollIntervalMs: 20,
      backoff: { baseMs: 20, maxMs: 200 },
    });
    for (const vault of ['vlt_straits-wallet', 'vlt_lioncity-app'])
      await grantConsents(net.coordinator.service, vault, ['act_sub-0']);
  });
  after(async () => {
    await net?.close();
    await store?.close();
  });

  it('retries an unreachable enterprise node and times the task out at its deadline', async () => {
    const straits = net.enterprises.find((e) => e.nodeId === 'node_straits')!;
    await straits.close();
    const { task } = await net.coordinator.service.submitTask(request('vlt_straits-wallet', 1500));
    await waitFor(() => net.coordinator.follower.state.tasks[task.task_id]?.state === 'timed_out', 'timed out', 10_000);
    const t = net.coordinator.follower.state.tasks[task.task_id]!;
    assert.deepEqual(
      t.history.map((h) => h.state),
      ['accepted', 'resolving', 'dispatched', 'timed_out'],
    );
    assert.ok(t.history[t.history.length - 1]!.time_ms >= t.deadline_ms);
    assert.match(net.coordinator.service.metrics(), /scs_coordination_retries [1-9]/);
  });

  it('completes a task whose node answers within the deadline', async () => {
    const { task } = await net.coordinator.service.submitTask(request('vlt_lioncity-app', 60_000));
    await waitFor(
      () => net.coordinator.follower.state.tasks[task.task_id]?.state === 'awaiting_settlement',
      'verified',
      10_000,
    );
  });
});
