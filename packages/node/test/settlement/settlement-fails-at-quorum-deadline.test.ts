/**
 * Masters that never sign cannot hold an epoch in `finalizing`: with `settlement_timeout_ms` 60 s
 * and masters 2 and 3 silent, the epoch waits on one signature; before the deadline (log time,
 * manual clock) a `quorum_timeout` failure is refused (`deadline_not_reached`); once the clock
 * passes it the coordinating master appends `settlement_failed { quorum_timeout }`, the alert is
 * raised, and after the masters are back a governance retry finalizes the next attempt.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { settlementQuorumDeadline } from '@symphony/protocol';
import { ManualClock } from '../../src/adapters/manual-clock.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { DEFAULT_PARAMETERS, EMBEDDED_TOPOLOGY } from '../../src/roles/network-topology.ts';
import { HeldKeyring } from '../support/held-keyring.ts';
import { openTestPglite } from '../support/pglite.ts';
import { waitFor } from '../support/wait.ts';

const TIMEOUT_MS = 60_000;

describe('a settlement fails at its quorum deadline', { timeout: 120_000 }, () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  const clock = new ManualClock(1_767_225_600_000);
  const keyring = new HeldKeyring(['node-master-2', 'node-master-3']);

  before(async () => {
    store = await openTestPglite();
    net = await openEmbeddedNetwork({
      store,
      keyring,
      clock,
      pollIntervalMs: 20,
      topology: {
        ...EMBEDDED_TOPOLOGY,
        parameters: { ...DEFAULT_PARAMETERS, settlement_timeout_ms: TIMEOUT_MS },
      },
    });
  });
  after(async () => {
    keyring.release();
    await net?.close();
    await store?.close();
  });

  it('waits until the deadline by log time, then fails with quorum_timeout; a retry recovers', async () => {
    const state = () => net.coordinator.follower.state;
    const closed = await net.coordinator.service.closeEpoch();
    const epoch = closed.closed_epoch;
    await waitFor(() => state().settlements[epoch]?.state === 'finalizing', 'one signature', 15_000);
    const s = state().settlements[epoch]!;
    const deadline = settlementQuorumDeadline(state(), epoch)!;
    assert.equal(deadline, s.candidate_ready_at_ms! + DEFAULT_PARAMETERS.challenge_window_ms + TIMEOUT_MS);

    clock.set(deadline - 1);
    const early = await net.coordinator.writer.append({
      type: 'settlement_failed',
      epoch_id: epoch,
      reason_code: 'quorum_timeout',
    });
    assert.equal(early.kind === 'refused' && early.refusal.code, 'deadline_not_reached');
    assert.equal(state().settlements[epoch]!.state, 'finalizing');

    clock.set(deadline);
    await waitFor(() => state().settlements[epoch]?.state === 'failed', 'the quorum timeout', 15_000);
    const failed = state().settlements[epoch]!;
    assert.equal(failed.failure_reason, 'quorum_timeout');
    assert.ok(failed.history.at(-1)!.time_ms >= deadline);
    assert.equal(failed.signatures.length, 1);
    assert.ok(net.coordinator.service.metrics().includes('scs_settlement_failed_epochs 1'));

    keyring.release();
    const retried = await net.coordinator.service.retrySettlement(epoch);
    assert.equal(retried.attempt, 2);
    await waitFor(() => state().settlements[epoch]?.state === 'finalized', 'the retried epoch finalized', 15_000);
  });
});
