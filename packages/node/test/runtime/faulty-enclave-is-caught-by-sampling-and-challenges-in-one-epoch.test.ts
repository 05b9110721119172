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
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type ParameterSet, parseAmount } from '@symphony/protocol';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { EMBEDDED_TOPOLOGY } from '../../src/roles/network-topology.ts';
import { grantConsents } from '../support/consent.ts';
import { oneInTen } from '../support/faulty-enclave.ts';
import { openTestPglite } from '../support/pglite.ts';
import { actorKey } from '../support/signed-requests.ts';
import { waitFor } from '../support/wait.ts';

const VAULT = 'vlt_lioncity-app';
const EXECUTOR = 'act_lioncity';
const WATCHER = 'act_watcher';
/** Half of the receipts are verified. */
const SAMPLE_BPS = 5000;
/** Batches of ten tasks run until both a sampled and an unsampled corrupted task exist (at most this many). */
const MAX_BATCHES = 16;
const records = Array.from({ length: 30 }, (_, i) => ({
  subject: `act_sub-${i % 10}`,
  fields: {
    merchant: `Shop ${i % 4}`,
    category: i % 3 ? 'coffee' : 'books',
    city: 'Singapore',
    total_amount: `${(i % 7) + 3}.50`,
    purchased_at: '2026-11-20T08:00:00Z',
  },
}));

const task = (i: number) => ({
  class: 'compute' as const,
  submitter: 'act_brand',
  consent_scope: 'analytics' as const,
  targets: { vault_ids: [VAULT] },
  semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['category', 'total_amount'] },
  budget: { max_fee: '100000' },
  spec: {
    kind: 'compute' as const,
    program: { type: 'builtin' as const, operator: 'sum' as const, attribute: 'total_amount' },
    filter: [{ attribute: 'category', op: 'eq' as const, value: i % 2 ? 'coffee' : 'books' }],
  },
});

describe('a faulty enclave is caught by sampled verification and by challenges in one epoch', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  const fault = oneInTen();
  const dir = mkdtempSync(join(tmpdir(), 'scs-sampled-faulty-'));
  const state = () => net.coordinator.follower.state;
  const stake = (a: string) => parseAmount(state().accounts[a]?.stake ?? '0');

  before(async () => {
    store = await openTestPglite();
    const parameters: ParameterSet = {
      ...EMBEDDED_TOPOLOGY.parameters,
      // Generous: the challenges are opened on a shared, loaded machine.
      challenge_window_ms: 15_000,
      verification_sample_bps: SAMPLE_BPS,
    };
    net = await openEmbeddedNetwork({
      store,
      keyring: new MemoryKeyring(),
      pollIntervalMs: 20,
      topology: { ...EMBEDDED_TOPOLOGY, parameters },
      actors: [
        {
          actor_id: 'act_brand',
          roles: ['task_submitter'],
          public_key: actorKey('act_brand').publicKeyHex,
          balance: '100000000',
          grants: 'all',
        },
        { actor_id: WATCHER, roles: ['verifier'], public_key: actorKey(WATCHER).publicKeyHex, balance: '100000' },
      ],
      faultFor: (nodeId) => (nodeId === 'node_lioncity' ? fault : undefined),
    });
    const w = net.coordinator.writer;
    for (const [actor_id, amount] of [
      [WATCHER, '1000'],
      [EXECUTOR, '10000000'],
    ] as const) {
      assert.equal((await w.append({ type: 'account_funded', actor_id, account: 'stake', amount })).kind, 'applied');
    }
    await net.coordinator.service.ingest(VAULT, { records });
    await grantConsents(
      net.coordinator.service,
      VAULT,
      records.map((r) => r.subject),
    );
  });

  after(async () => {
    await net?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function replayInFreshProcess(id: string) {
    const bundle = await net.coordinator.service.challenges!.replayBundle(id);
    assert.ok(bundle, `a replay bundle for ${id}`);
    const file = join(dir, `${id}.json`);
    writeFileSync(file, JSON.stringify(bundle));
    const child = join(import.meta.dirname, '../support/challenge-replay-child.ts');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child, file]);
    return JSON.parse(stdout) as { outcome: string; decision_hash: string; matches: boolean };
  }

  it('rejects the sampled corrupted tasks by re-execution and the others by challenges, before finality', async () => {
    const epoch = state().current_epoch;
    const stakeBefore = stake(EXECUTOR);
    const ids: string[] = [];
    const sampledBad = () => fault.corrupted.filter((id) => state().tasks[id]?.verification_assignment?.sampled);
    const skippedBad = () => fault.corrupted.filter((id) => !state().tasks[id]?.verification_assignment?.sampled);
    for (let batch = 0; batch < MAX_BATCHES && (sampledBad().length === 0 || skippedBad().length === 0); batch++) {
      for (let i = batch * 10; i < batch * 10 + 10; i++) {
        const { task: t } = await net.coordinator.service.submitTask(task(i), `sampled-faulty-${i}`);
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
      const replay = await replayInFreshProcess(cid);
      assert.equal(replay.matches, true, `${cid} replays to its logged decision`);
      assert.equal(replay.outcome, 'confirmed');
      assert.equal(replay.decision_hash, state().challenges[cid]!.decision_hash);
    }
  });
});
