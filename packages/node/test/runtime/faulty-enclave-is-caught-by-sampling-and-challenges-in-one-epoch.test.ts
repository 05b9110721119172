/**
 * One run, one epoch, a sampling policy of a fraction: a compromised enclave returns a subtly
 * wrong result 1 time in 10, and the policy verifies half of the receipts, chosen by a seed from
 * the log (the receipt entry's hash). Within the same epoch, the corrupted tasks the sample picked
 * are rejected by the verifier's re-execution, and the ones it skipped (accepted `sampled_out`)
 * are caught by a staked watcher's challenges while the epoch's settlement is a candidate. Every
 * corrupted task ends `rejected`, the executor's stake drops by exactly the slashes, the catchers'
 * rewards are in the stake ledger, the candidate root changes before finality, and every challenge
 * replays to its logged decision in a fresh process.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAmount } from '@symphony/protocol';
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
/** Half of the receipts are verified. */
const SAMPLE_BPS = 5000;
/** Batches of ten tasks run until both a sampled and an unsampled corrupted task exist (at most this many). */
const MAX_BATCHES = 16;
describe('a faulty enclave is caught by sampled verification and by challenges in one epoch', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  const fault = oneInTen();
  const dir = mkdtempSync(join(tmpdir(), 'scs-sampled-faulty-'));
  const state = () => net.coordinator.follower.state;
  const stake = (a: string) => parseAmount(state().accounts[a]?.stake ?? '0');

  before(async () => {
    store = await openTestPglite();
    net = await openChallengeNetwork(store, {
      // Generous: the challenges are opened on a shared, loaded machine.
      parameters: { challenge_window_ms: 15_000, verification_sample_bps: SAMPLE_BPS },
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

  it('rejects the sampled corrupted tasks by re-execution and the others by challenges, before finality', async () => {
    const epoch = state().current_epoch;
    const stakeBefore = stake(EXECUTOR);
    const ids: string[] = [];
    const sampledBad = () => fault.corrupted.filter((id) => state().tasks[id]?.verification_assignment?.sampled);
    const skippedBad = () => fault.corrupted.filter((id) => !state().tasks[id]?.verification_assignment?.sampled);
    for (let batch = 0; batch < MAX_BATCHES && (sampledBad().length === 0 || skippedBad().length === 0); batch++) {
      for (let i = batch * 10; i < batch * 10 + 10; i++) {
        const { task: t } = await net.coordinator.service.submitTask(sumTask(VAULT, i), `sampled-faulty-${i}`);
        ids.push(t.task_id);
        await waitFor(
          () => ['rejected', 'awaiting_settlement'].includes(state().tasks[t.task_id]?.state ?? ''),
          `task ${i} verified`,
          30_000,
        );
      }
    }
    const caughtBySample = sampledBad();
    const leftToChallenge = skippedBad();
    assert.ok(caughtBySample.length > 0, 'the seeded sample picked at least one corrupted receipt');
    assert.ok(leftToChallenge.length > 0, 'the seeded sample skipped at least one corrupted receipt');
    for (const id of ids) assert.equal(state().tasks[id]!.admitted_epoch, epoch, 'one epoch');
    // The sample is a fraction chosen from the log: both outcomes occur among all tasks.
    const sampled = ids.filter((id) => state().tasks[id]!.verification_assignment!.sampled);
    assert.ok(sampled.length > 0 && sampled.length < ids.length);

    // Sampled: the verifier's re-execution rejected them, slashed the executor and rewarded the verifier.
    for (const id of caughtBySample) {
      const t = state().tasks[id]!;
      assert.equal(t.state, 'rejected');
      assert.equal(t.reason_code, 'output_mismatch');
      const ledger = state().stake_ledger ?? [];
      assert.ok(ledger.some((m) => m.ref === id && m.kind === 'slash' && m.account === EXECUTOR));
      const reward = ledger.find((m) => m.ref === id && m.kind === 'challenger_reward');
      assert.equal(reward?.account, t.verifier);
    }
    // Skipped: accepted unchecked, waiting for settlement.
    for (const id of leftToChallenge) assert.equal(state().tasks[id]!.state, 'awaiting_settlement');
    const honestSkipped = ids.find(
      (id) => !fault.corrupted.includes(id) && !state().tasks[id]!.verification_assignment!.sampled,
    )!;
    assert.ok(honestSkipped);

    await net.coordinator.service.closeEpoch();
    await waitFor(() => state().settlements[epoch]?.state === 'candidate_ready', 'candidate ready', 30_000);
    const candidate = structuredClone(state().settlements[epoch]!);
    const rootBefore = candidate.candidate!.statement.settlement_root;

    const challenges = net.coordinator.service.challenges!;
    const claim = { output_hash: 'a'.repeat(64), transcript_hash: 'b'.repeat(64) };
    const opened: string[] = [];
    for (const id of leftToChallenge) {
      const c = await challenges.open(
        {
          target: { kind: 'task', task_id: id },
          bond: '500',
          evidence: { kind: 'replay_output', task_id: id, attempt: 1, ...claim },
        },
        { actor_id: WATCHER, roles: ['verifier'] },
      );
      opened.push(c.challenge.challenge_id);
    }
    for (const id of leftToChallenge)
      assert.ok(
        candidate.entries.some((e) => e.task_id === id),
        'settled unchecked',
      );
    for (const id of caughtBySample) assert.ok(!candidate.entries.some((e) => e.task_id === id), 'never settled');
    for (const cid of opened)
      await waitFor(() => state().challenges[cid]?.state === 'penalty_recorded', `${cid} penalty recorded`, 30_000);
    assert.notEqual(state().settlements[epoch]!.state, 'finalized', 'decided before finality');

    const ledger = state().stake_ledger ?? [];
    for (const [n, id] of leftToChallenge.entries()) {
      const t = state().tasks[id]!;
      assert.equal(t.state, 'rejected');
      assert.equal(t.reason_code, 'challenge_upheld');
      const cid = opened[n]!;
      assert.ok(ledger.some((m) => m.ref === cid && m.kind === 'slash' && m.account === EXECUTOR));
      assert.equal(ledger.find((m) => m.ref === cid && m.kind === 'challenger_reward')?.account, WATCHER);
    }
    // The executor lost exactly the slashes of every corrupted task, by either route.
    const refs = new Set([...caughtBySample, ...opened]);
    const slashed = ledger
      .filter((m) => m.kind === 'slash' && m.account === EXECUTOR && refs.has(m.ref))
      .reduce((sum, m) => sum + BigInt(m.delta), 0n);
    assert.ok(slashed < 0n);
    assert.equal(stake(EXECUTOR), stakeBefore + slashed);
    for (const id of fault.corrupted) assert.equal(state().tasks[id]!.state, 'rejected');

    // The candidate was rebuilt without them, before finality; then it finalizes.
    await waitFor(
      () =>
        ['candidate_ready', 'finalized'].includes(state().settlements[epoch]?.state ?? '') &&
        state().settlements[epoch]!.candidate!.statement.settlement_root !== rootBefore,
      'rebuilt candidate',
      30_000,
    );
    const s = state().settlements[epoch]!;
    for (const id of fault.corrupted) assert.ok(!s.entries.some((e) => e.task_id === id), `${id} left out`);
    assert.ok(
      s.entries.some((e) => e.task_id === honestSkipped),
      'an honest sampled-out task stays',
    );
    await waitFor(() => state().settlements[epoch]?.state === 'finalized', 'finalized', 60_000);
    assert.notEqual(state().settlements[epoch]!.candidate!.statement.settlement_root, rootBefore, 'final root');

    for (const cid of opened) {
      const replay = await replayInFreshProcess(net, dir, cid);
      assert.equal(replay.matches, true, `${cid} replays to its logged decision`);
      assert.equal(replay.outcome, 'confirmed');
      assert.equal(replay.decision_hash, state().challenges[cid]!.decision_hash);
    }
  });
});
