/**
 * With the pipeline (the enterprise nodes) in a worker thread, the coordinator's lifecycle steps
 * do not wait for running admissions: a task is resolved, dispatched, executed in the worker and
 * its receipt recorded while another admission is still running, so the worker is fed during
 * admission bursts instead of idling until they end. On one thread the steps still give way
 * (`lifecycle-steps-give-way-to-admissions`). The two threads hold a deeper backlog before
 * admission sheds load, so they are not left idle while refused clients wait.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { DEFAULT_PIPELINE_BACKLOG, PIPELINE_THREAD_BACKLOG } from '../../src/application/master-service.ts';
import { AdmissionPriority } from '../../src/coordination/admission-priority.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { coffeeSumRequest } from '../support/compute-requests.ts';
import { grantConsents } from '../support/consent.ts';
import { openTestPglite, pgliteTemplate } from '../support/pglite.ts';
import { waitFor } from '../support/wait.ts';

const subjects = Array.from({ length: 6 }, (_, i) => `act_sub-${i}`);

describe('a pipeline thread is fed while admissions run', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  // Deferred steps would wait for the admission to end (an hour at most): only not deferring passes.
  const priority = new AdmissionPriority(3_600_000);
  before(async () => {
    store = await openTestPglite();
    net = await openEmbeddedNetwork({
      store,
      keyring: new MemoryKeyring(),
      pollIntervalMs: 20,
      admissionPriority: priority,
      pipelineThread: { store: { loadDataDir: await pgliteTemplate() } },
    });
  });
  after(async () => {
    await net?.close();
    await store?.close();
  });

  it("sheds load past the pipeline thread backlog, deeper than one thread's", () => {
    assert.ok(PIPELINE_THREAD_BACKLOG > DEFAULT_PIPELINE_BACKLOG);
    assert.match(
      net.coordinator.service.metrics(),
      new RegExp(`^scs_pipeline_backlog ${PIPELINE_THREAD_BACKLOG}$`, 'm'),
    );
  });

  it('records the receipt of a task admitted during a running admission before that admission ends', async () => {
    const api = net.coordinator.service;
    await api.ingest('vlt_lioncity-app', {
      records: subjects.map((subject, i) => ({
        subject,
        fields: {
          merchant: 'Shop',
          category: 'coffee',
          city: 'Singapore',
          total_amount: `${i + 3}.50`,
          purchased_at: '2026-11-20T08:00:00Z',
        },
      })),
    });
    await grantConsents(api, 'vlt_lioncity-app', subjects);
    let endAdmission!: () => void;
    const running = priority.admit(() => new Promise<void>((resolve) => (endAdmission = resolve)));
    try {
      const { task } = await api.submitTask(coffeeSumRequest('vlt_lioncity-app'), 'fed-1');
      const state = () => net.coordinator.follower.state.tasks[task.task_id]?.state;
      await waitFor(
        () => state() === 'verifying' || state() === 'awaiting_settlement',
        'the receipt recorded while the admission runs',
        20_000,
      );
      assert.equal(priority.admitting, 1);
      endAdmission();
      await running;
      await waitFor(() => state() === 'awaiting_settlement', 'the task verified', 20_000);
    } finally {
      endAdmission?.();
      await running;
    }
  });
});
