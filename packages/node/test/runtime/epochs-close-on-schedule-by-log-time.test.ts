/**
 * Epoch length is a governance parameter and epochs close by time: with a 60 s epoch, a scheduled
 * close before the end of the window is refused (`epoch_not_due`); once the clock reaches it, the coordinating master
 * appends `epoch_closed { trigger: 'schedule' }` at a log time at or after the due time, the masters
 * sign the candidate, and the epoch is finalized with a quorum certificate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/adapters/manual-clock.ts';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { DEFAULT_PARAMETERS, EMBEDDED_TOPOLOGY } from '../../src/roles/network-topology.ts';
import { openTestPglite } from '../support/pglite.ts';
import { waitFor } from '../support/wait.ts';

const EPOCH_MS = 60_000;

describe('epochs close on schedule by log time', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  const clock = new ManualClock(1_767_225_600_000);
  before(async () => {
    store = await openTestPglite();
    net = await openEmbeddedNetwork({
      store,
      keyring: new MemoryKeyring(),
      clock,
      pollIntervalMs: 20,
      topology: { ...EMBEDDED_TOPOLOGY, parameters: { ...DEFAULT_PARAMETERS, epoch_length_ms: EPOCH_MS } },
    });
  });
  after(async () => {
    await net?.close();
    await store?.close();
  });

  it('does not close early, closes once the window has passed, and finalizes', async () => {
    const state = () => net.coordinator.follower.state;
    const opened = state().epochs[1]!.opened_at_ms;
    clock.set(opened + EPOCH_MS - 1_000);
    // A scheduled close before the due time is refused by the reducer, whoever appends it.
    const early = await net.coordinator.writer.append({ type: 'epoch_closed', epoch_id: 1, trigger: 'schedule' });
    assert.equal(early.kind, 'refused');
    assert.equal(early.kind === 'refused' && early.refusal.code, 'epoch_not_due');
    assert.equal(state().current_epoch, 1);
    assert.equal(state().epochs[1]!.closed_at_ms, undefined);

    clock.set(opened + EPOCH_MS);
    await waitFor(() => state().settlements[1]?.state === 'finalized', 'epoch 1 finalized', 15_000);
    const epoch = state().epochs[1]!;
    assert.equal(epoch.trigger, 'schedule');
    assert.ok(epoch.closed_at_ms! >= opened + EPOCH_MS);
    assert.equal(state().current_epoch, 2);
    const view = net.coordinator.service.settlement(1)!;
    assert.ok(view.quorum_certificate);
    assert.ok(view.quorum_certificate.signatures.length >= 2);
    assert.equal(view.quorum_certificate.statement.entry_count, 0);
  });
});
