/**
 * Admission answers 503 `unavailable` with `Retry-After` once the pipeline holds its bound of
 * tasks, instead of queueing without bound; nothing is appended for a refused request, a replay
 * of an admitted task still answers, and admission opens again as the pipeline drains. `/metrics`
 * shows the tasks in the pipeline and the bound.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { mapError } from '../../src/application/error-mapping.ts';
import { ApiFailure } from '../../src/application/master-api.ts';
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

describe('admission: a bounded pipeline backlog', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  before(async () => {
    store = await openTestPglite();
    net = await openEmbeddedNetwork({
      store,
      keyring: new MemoryKeyring(),
      pollIntervalMs: 20,
      backoff: { baseMs: 20, maxMs: 100 },
      pipelineBacklog: 2,
    });
    await grantConsents(net.coordinator.service, 'vlt_straits-wallet', ['act_sub-0']);
  });
  after(async () => {
    await net?.close();
    await store?.close();
  });

  it('refuses a new task with 503 and Retry-After while the pipeline is full, and admits again once it drains', async () => {
    // The node hosting the Vault is down: admitted tasks stay in the pipeline until their deadline.
    await net.enterprises.find((e) => e.nodeId === 'node_straits')!.close();
    const service = net.coordinator.service;
    const first = await service.submitTask(request('vlt_straits-wallet', 1500), 'k-1');
    await service.submitTask(request('vlt_straits-wallet', 1500), 'k-2');
    const refused = await service.submitTask(request('vlt_straits-wallet', 1500), 'k-3').then(
      () => assert.fail('a third task was admitted past the backlog of 2'),
      (error: unknown) => error,
    );
    assert.ok(refused instanceof ApiFailure);
    assert.equal(refused.code, 'unavailable');
    assert.deepEqual(refused.details, { retry_after_seconds: 1, pipeline_tasks: 2, limit: 2 });
    const answer = mapError(refused, { bodyLimitBytes: 1 << 20 });
    assert.equal(answer.status, 503);
    assert.equal(answer.headers['retry-after'], '1');
    // Operators see the pipeline at its bound on /metrics.
    assert.match(service.metrics(), /^scs_pipeline_tasks 2$/m);
    assert.match(service.metrics(), /^scs_pipeline_backlog 2$/m);
    // Nothing was admitted for the refused request.
    assert.equal(Object.values(net.coordinator.follower.state.tasks).length, 2);
    // A replay of an admitted task still answers while the pipeline is full.
    const replay = await service.submitTask(request('vlt_straits-wallet', 1500), 'k-1');
    assert.equal(replay.created, false);
    assert.equal(replay.task.task_id, first.task.task_id);
    // Past their deadline both tasks time out, the pipeline is empty, and admission opens again.
    await waitFor(
      () => Object.values(net.coordinator.follower.state.tasks).every((t) => t.state === 'timed_out'),
      'both tasks timed out',
      15_000,
    );
    const later = await service.submitTask(request('vlt_straits-wallet', 1500), 'k-3');
    assert.equal(later.created, true);
  });
});
