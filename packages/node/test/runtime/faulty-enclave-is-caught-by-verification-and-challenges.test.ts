/**
 * A compromised enclave on one enterprise node returns a subtly wrong result 1 time in 10. Under a
 * verify-all policy the assigned verifier's independent re-execution catches it; under a policy
 * that samples nothing, a staked watcher's challenge does, before the epoch finalizes. Either way
 * the task ends `rejected`, the executor's operator is slashed, the catcher is rewarded in the
 * stake ledger, and the epoch's candidate root changes before finality. A bogus challenge ends
 * `not_confirmed` then `closed_without_penalty`, moving only the bond. Every challenge replays to
 * its logged decision in a fresh process.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ParameterSet, parseAmount } from '@symphony/protocol';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import type { EmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import {
  openChallengeNetwork,
  RECEIPT_RECORDS,
  replayInFreshProcess,
  sumTask,
  WATCHER,
} from '../support/challenge-network.ts';
import { grantConsents } from '../support/consent.ts';
import { oneInTen } from '../support/faulty-enclave.ts';
import { openTestPglite } from '../support/pglite.ts';
import { waitFor } from '../support/wait.ts';

const VAULT = 'vlt_lioncity-app';
const EXECUTOR = 'act_lioncity';
// Long enough that the watcher opens its challenges before the window closes on a loaded machine.
const WINDOW_MS = 10_000;

describe('a faulty enclave is caught by verification and by challenges', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  const fault = oneInTen();
  const dir = mkdtempSync(join(tmpdir(), 'scs-challenge-replay-'));
  const state = () => net.coordinator.follower.state;
  const stake = (a: string) => parseAmount(state().accounts[a]?.stake ?? '0');
  const balance = (a: string) => parseAmount(state().accounts[a]?.balance ?? '0');
  const watcher = { actor_id: WATCHER, roles: ['verifier'] as const };

  before(async () => {
    store = await openTestPglite();
    net = await openChallengeNetwork(store, {
      parameters: { challenge_window_ms: WINDOW_MS },
      stakes: { [WATCHER]: '1000', [EXECUTOR]: '10000000' },
      faultFor: (nodeId) => (nodeId === 'node_lioncity' ? fault : undefined),
    });
    await net.coordinator.service.ingest(VAULT, { records: RECEIPT_RECORDS });
    await grantConsents(
      net.coordinator.service,
      VAULT,
      RECEIPT_RECORDS.map((r) => r.subject),
    );
  });

  after(async () => {
    await net?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function runTasks(from: number, n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = from; i < from + n; i++) {
      const { task: t } = await net.coordinator.service.submitTask(sumTask(VAULT, i), `faulty-${i}`);
      ids.push(t.task_id);
      await waitFor(
        () => ['rejected', 'awaiting_settlement'].includes(state().tasks[t.task_id]?.state ?? ''),
        `task ${i} verified`,
        30_000,
      );
    }
    return ids;
  }

  it('under verify-all, the assigned verifier re-executes and rejects the wrong result; the executor is slashed', async () => {
    const before = stake(EXECUTOR);
    const ids = await runTasks(0, 10);
    assert.equal(fault.corrupted.length, 1);
    const bad = fault.corrupted[0]!;
    for (const id of ids) {
      const t = state().tasks[id]!;
      assert.ok(t.verification_assignment?.sampled, 'verify-all samples every receipt');
      assert.ok(t.verifier?.startsWith('act_master-'), 'a staked verifier actor decided');
      assert.equal(t.state, id === bad ? 'rejected' : 'awaiting_settlement', id);
    }
    assert.equal(state().tasks[bad]!.reason_code, 'output_mismatch');
    const slash = (state().stake_ledger ?? []).find((m) => m.ref === bad && m.kind === 'slash');
    assert.ok(slash);
    assert.equal(stake(EXECUTOR), before + BigInt(slash.delta));
    const reward = (state().stake_ledger ?? []).find((m) => m.ref === bad && m.kind === 'challenger_reward');
    assert.equal(reward?.account, state().tasks[bad]!.verifier);
  });

  it('under a policy that samples nothing, a watcher challenge catches it before finality; a bogus one only costs its bond', async () => {
    const w = net.coordinator.writer;
    const current = state().current_epoch;
    const v2: ParameterSet = {
      ...state().parameter_history[0]!,
      policy_version: 2,
      effective_from_epoch: current + 1,
      verification_sample_bps: 0,
    };
    assert.equal((await w.append({ type: 'policy_published', parameters: v2 })).kind, 'applied');
    await net.coordinator.service.closeEpoch();
    await waitFor(() => state().settlements[current]?.state === 'finalized', 'epoch 1 finalized', 30_000);

    const ids = await runTasks(10, 10);
    assert.equal(fault.corrupted.length, 2);
    const bad = fault.corrupted[1]!;
    for (const id of ids) assert.equal(state().tasks[id]!.state, 'awaiting_settlement', 'sampled out, accepted');
    const honest = ids.find((id) => id !== bad)!;
    const epoch = state().current_epoch;
    await net.coordinator.service.closeEpoch();
    await waitFor(() => state().settlements[epoch]?.state === 'candidate_ready', 'candidate ready');
    const rootBefore = state().settlements[epoch]!.candidate!.statement.settlement_root;
    const executorBefore = stake(EXECUTOR);
    const watcherBefore = balance('act_watcher');

    const challenges = net.coordinator.service.challenges!;
    // The watcher knows the true output of the corrupted task (e.g. from its own replay); the hashes
    // it posts are its claim, and adjudication re-executes independently anyway.
    const claim = { output_hash: 'a'.repeat(64), transcript_hash: 'b'.repeat(64) };
    const real = await challenges.open(
      {
        target: { kind: 'task', task_id: bad },
        bond: '500',
        evidence: { kind: 'replay_output', task_id: bad, attempt: 1, ...claim },
      },
      { ...watcher, roles: ['verifier'] },
    );
    const bogus = await challenges.open(
      {
        target: { kind: 'task', task_id: honest },
        bond: '500',
        evidence: { kind: 'replay_output', task_id: honest, attempt: 1, ...claim },
      },
      { ...watcher, roles: ['verifier'] },
    );
    const realId = real.challenge.challenge_id;
    const bogusId = bogus.challenge.challenge_id;
    await waitFor(() => state().challenges[realId]?.state === 'penalty_recorded', 'penalty recorded', 30_000);
    await waitFor(
      () => state().challenges[bogusId]?.state === 'closed_without_penalty',
      'closed without penalty',
      30_000,
    );

    assert.equal(state().tasks[bad]!.state, 'rejected');
    assert.equal(state().tasks[bad]!.reason_code, 'challenge_upheld');
    assert.equal(state().tasks[honest]!.state, 'awaiting_settlement');
    assert.deepEqual(
      state().challenges[bogusId]!.history.map((h) => h.state),
      ['opened', 'reviewing', 'not_confirmed', 'closed_without_penalty'],
    );
    const ledger = state().stake_ledger ?? [];
    const slash = ledger.find((m) => m.ref === realId && m.kind === 'slash')!;
    const reward = ledger.find((m) => m.ref === realId && m.kind === 'challenger_reward')!;
    assert.equal(stake(EXECUTOR), executorBefore + BigInt(slash.delta));
    assert.equal(reward.account, 'act_watcher');
    // Bond rule: the real challenge's bond came back, the bogus one's was forfeited (policy default: all).
    assert.deepEqual(
      ledger.filter((m) => m.ref === bogusId).map((m) => [m.kind, m.delta]),
      [
        ['bond_held', '-500'],
        ['bond_forfeited', '500'],
      ],
    );
    assert.equal(balance('act_watcher'), watcherBefore + parseAmount(reward.delta) - 500n);

    // The candidate was rebuilt without the wrong result, before finality.
    await waitFor(
      () =>
        state().settlements[epoch]?.state === 'candidate_ready' || state().settlements[epoch]?.state === 'finalized',
      'rebuilt',
    );
    const s = state().settlements[epoch]!;
    assert.notEqual(s.candidate!.statement.settlement_root, rootBefore);
    assert.ok(!s.entries.some((e) => e.task_id === bad));
    assert.ok(s.entries.some((e) => e.task_id === honest));
    await waitFor(() => state().settlements[epoch]?.state === 'finalized', 'finalized', 30_000);

    for (const id of [realId, bogusId]) {
      const replay = await replayInFreshProcess(net, dir, id);
      assert.equal(replay.matches, true, `${id} replays to its logged decision`);
      assert.equal(replay.decision_hash, state().challenges[id]!.decision_hash);
    }
    const detail = await challenges.get(realId);
    assert.equal(detail?.adjudication?.outcome, 'confirmed');
    assert.equal(detail?.adjudication?.reason_code, 'output_mismatch');
    assert.ok(detail?.findings?.reexecution);
  });
});
