/**
 * A Query is verified from its aggregation transcript, not by re-running it: the verifier fetches
 * the sealed transcript and the aggregation enclave's statement (commitments only) and checks them
 * against the log. An honest two-node query is accepted; a compromised aggregation enclave that
 * drops a Vault's partial, lies about k_min, draws noise other than the secret seed gives (checked
 * by another node's enclave, the seed being secret), seeds its noise from the public replay seed,
 * or skips the budget charge gets a `rejected` decision naming exactly that, and its operator is slashed. A
 * `group_under_k_min` challenge against an honest release is judged from the same transcript
 * (`not_confirmed`, then `closed_without_penalty`); under a policy that samples nothing, a release
 * of a group under k_min passes unchecked and the same kind of challenge convicts it before
 * finality. Both challenges replay to their logged decisions in a fresh process.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SubmitTaskRequest } from '@symphony/api';
import {
  noiseDigest,
  noiseSeedCommitment,
  type ParameterSet,
  releasedSetsDigest,
  replaySeedOf,
  type VerificationDecision,
} from '@symphony/protocol';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import type { AggregationFault } from '../../src/execution/query/query-runtime.ts';
import type { EmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { openChallengeNetwork, replayInFreshProcess, SUBMITTER, WATCHER } from '../support/challenge-network.ts';
import { grantConsents } from '../support/consent.ts';
import { openTestPglite } from '../support/pglite.ts';
import { waitFor } from '../support/wait.ts';

const VAULTS = ['vlt_lioncity-app', 'vlt_straits-wallet'];
const SUBJECTS = Array.from({ length: 8 }, (_, i) => `act_shopper-${i}`);
const OPERATORS = ['act_lioncity', 'act_straits'];

type Mode = 'honest' | 'drop_partial' | 'lie_k_min' | 'other_noise' | 'public_seed' | 'skip_charge' | 'release_under_k';

const spec = {
  kind: 'query' as const,
  filter: [{ attribute: 'category', op: 'eq' as const, value: 'coffee' }],
  group_by: ['city'],
  aggregates: [
    { fn: 'count_distinct_subjects' as const },
    { fn: 'sum' as const, attribute: 'total_amount', clamp: { lower: '0', upper: '100' } },
  ],
};

describe('a query is verified from its aggregation transcript', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  let mode: Mode = 'honest';
  const dir = mkdtempSync(join(tmpdir(), 'scs-query-transcript-'));
  const state = () => net.coordinator.follower.state;
  const stake = (a: string) => BigInt(state().accounts[a]?.stake ?? '0');

  /** The compromised aggregation enclave: tampers its statement or release per the current mode. */
  const fault: AggregationFault = (task_id, run) => {
    const a = run.aggregation;
    switch (mode) {
      case 'honest':
        return undefined;
      case 'drop_partial':
        return { aggregation: { ...a, partials: a.partials.slice(1) }, release: run.release };
      case 'lie_k_min':
        return { aggregation: { ...a, k_min: 1 }, release: run.release };
      case 'other_noise': {
        assert.ok(run.noise.length > 0, 'the release drew noise');
        const [first, ...rest] = run.noise;
        const shifted = [{ label: first!.label, value: first!.value + 1 }, ...rest];
        return { aggregation: { ...a, noise_digest: noiseDigest(run.noise_seed, shifted) }, release: run.release };
      }
      case 'public_seed': {
        // The pre-fix derivation: noise seeded by the public replay seed (anyone could subtract it).
        const seed = replaySeedOf(state().tasks[task_id]!.envelope_hash);
        return {
          aggregation: {
            ...a,
            noise_seed_commitment: noiseSeedCommitment(seed),
            noise_digest: noiseDigest(seed, run.noise),
          },
          release: run.release,
        };
      }
      case 'skip_charge':
        return { aggregation: a };
      case 'release_under_k': {
        // Also releases the suppressed Tampines group: its subjects are the ones read but in no released set.
        const released = new Set(run.release.released_sets.flat());
        const few = run.release.charged.filter((p) => !released.has(p)).sort();
        assert.equal(few.length, 2);
        const released_sets = [...run.release.released_sets, few];
        return {
          aggregation: {
            ...a,
            released_keys: [...a.released_keys, JSON.stringify(['Tampines'])],
            groups_suppressed: a.groups_suppressed - 1,
            released_sets_digest: releasedSetsDigest(released_sets),
          },
          release: { ...run.release, released_sets },
        };
      }
    }
  };

  before(async () => {
    store = await openTestPglite();
    net = await openChallengeNetwork(store, {
      parameters: { challenge_window_ms: 10_000 },
      stakes: { [WATCHER]: '1000', ...Object.fromEntries(OPERATORS.map((o) => [o, '10000000'])) },
      aggregationFaultFor: () => fault,
    });
    for (const [v, vault_id] of VAULTS.entries()) {
      await net.coordinator.service.ingest(vault_id, {
        records: SUBJECTS.map((subject, i) => ({
          subject,
          fields: { merchant: 'Kopi', category: 'coffee', city: 'Singapore', total_amount: `${i + v + 2}.50` },
        })),
      });
      await grantConsents(net.coordinator.service, vault_id, SUBJECTS);
    }
    // Two shoppers in Tampines: a group under k_min, suppressed.
    await net.coordinator.service.ingest('vlt_straits-wallet', {
      records: ['act_few-0', 'act_few-1'].map((subject) => ({
        subject,
        fields: { merchant: 'Kopi', category: 'coffee', city: 'Tampines', total_amount: '4.00' },
      })),
    });
    await grantConsents(net.coordinator.service, 'vlt_straits-wallet', ['act_few-0', 'act_few-1']);
  });

  after(async () => {
    await net?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs one query under `m` and returns its id and the verification decision the log recorded. */
  async function runQuery(m: Mode, key: string): Promise<{ task_id: string; decision: VerificationDecision }> {
    mode = m;
    const { task } = await net.coordinator.service.submitTask(
      {
        class: 'query',
        submitter: SUBMITTER,
        consent_scope: 'analytics',
        targets: { vault_ids: VAULTS },
        semantic: {
          domain: 'commerce.receipt',
          semantic_version: '1.0.0',
          attributes: ['category', 'city', 'total_amount'],
        },
        budget: { max_fee: '100000' },
        spec,
      } as SubmitTaskRequest,
      key,
    );
    const id = task.task_id;
    await waitFor(
      () => ['awaiting_settlement', 'rejected'].includes(state().tasks[id]?.state ?? ''),
      `query ${m} verified`,
      60_000,
    );
    mode = 'honest';
    const entries = net.coordinator.follower.taskEntries.get(id) ?? [];
    const at = entries.find((e) => e.type === 'verification_decided' && e.outcome === 'applied');
    assert.ok(at, `${m}: a verification decision was recorded`);
    const entry = await net.coordinator.follower.entryAt(at.seq);
    assert.equal(entry?.event.type, 'verification_decided');
    return { task_id: id, decision: (entry!.event as { decision: VerificationDecision }).decision };
  }

  let honestTask = '';

  /** The output hash of a task's recorded receipt. */
  async function outputHashOf(task_id: string): Promise<string> {
    const recorded = (net.coordinator.follower.taskEntries.get(task_id) ?? []).find(
      (e) => e.type === 'execution_receipt_recorded' && e.outcome === 'applied',
    );
    const entry = await net.coordinator.follower.entryAt(recorded!.seq);
    assert.equal(entry?.event.type, 'execution_receipt_recorded');
    return (entry!.event as { receipt: { output_hash: string } }).receipt.output_hash;
  }

  it('accepts an honest two-node query by checking its transcript, without re-executing it', async () => {
    const { task_id, decision } = await runQuery('honest', 'honest-1');
    assert.equal(state().tasks[task_id]!.state, 'awaiting_settlement', state().tasks[task_id]!.reason_code);
    assert.equal(decision.outcome, 'accepted');
    assert.equal(decision.method, 'transcript_check');
    assert.equal(decision.reexecution_output_hash, undefined);
    honestTask = task_id;
  });

  const tampers: [Mode, string][] = [
    ['drop_partial', 'partial_missing'],
    ['lie_k_min', 'suppression_inconsistent'],
    ['other_noise', 'noise_mismatch'],
    ['public_seed', 'noise_seed_not_derived'],
    ['skip_charge', 'budget_not_charged'],
  ];
  for (const [m, reason] of tampers) {
    it(`rejects a transcript whose aggregation enclave did ${m} with ${reason}, and slashes its operator`, async () => {
      const before = OPERATORS.map(stake);
      const { task_id, decision } = await runQuery(m, `tamper-${m}`);
      const t = state().tasks[task_id]!;
      assert.equal(decision.outcome, 'rejected');
      assert.equal(decision.method, 'transcript_check');
      assert.equal(decision.reason_code, reason);
      assert.equal(t.state, 'rejected');
      assert.equal(t.reason_code, reason);
      const slash = (state().stake_ledger ?? []).find((x) => x.ref === task_id && x.kind === 'slash');
      assert.ok(slash, 'the aggregator operator is slashed');
      const i = OPERATORS.indexOf(slash.account);
      assert.ok(i >= 0, `${slash.account} operates the aggregating node`);
      assert.equal(stake(slash.account), before[i]! + BigInt(slash.delta));
      if (m === 'skip_charge') assert.equal(t.release, undefined, 'nothing was charged');
    });
  }

  it('judges a group_under_k_min challenge from the transcript: an honest release is not_confirmed, and replays', async () => {
    const epoch = state().current_epoch;
    await net.coordinator.service.closeEpoch();
    await waitFor(() => state().settlements[epoch]?.state === 'candidate_ready', 'candidate ready', 30_000);
    const output_hash = await outputHashOf(honestTask);
    const challenges = net.coordinator.service.challenges!;
    const opened = await challenges.open(
      {
        target: { kind: 'task', task_id: honestTask },
        bond: '500',
        evidence: {
          kind: 'group_under_k_min',
          task_id: honestTask,
          attempt: 1,
          output_hash,
          group_key: JSON.stringify(['Singapore']),
          claimed_subjects: 2,
        },
      },
      { actor_id: WATCHER, roles: ['verifier'] },
    );
    const id = opened.challenge.challenge_id;
    await waitFor(() => state().challenges[id]?.state === 'closed_without_penalty', 'closed', 30_000);
    assert.deepEqual(
      state().challenges[id]!.history.map((h) => h.state),
      ['opened', 'reviewing', 'not_confirmed', 'closed_without_penalty'],
    );
    const detail = await challenges.get(id);
    assert.equal(detail?.adjudication?.reason_code, 'group_meets_k_min');
    assert.deepEqual(detail?.findings?.class_check, { confirmed: false, reason_code: 'group_meets_k_min' });

    const replay = await replayInFreshProcess(net, dir, id);
    assert.equal(replay.matches, true);
    assert.equal(replay.outcome, 'not_confirmed');
    assert.equal(replay.decision_hash, state().challenges[id]!.decision_hash);
  });

  it('under a policy that samples nothing, a release of a group under k_min is caught by a group_under_k_min challenge, which replays', async () => {
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
    await waitFor(() => state().settlements[current]?.state === 'finalized', 'previous epoch finalized', 60_000);

    const { task_id, decision } = await runQuery('release_under_k', 'under-k-1');
    assert.equal(decision.outcome, 'accepted');
    assert.equal(decision.method, 'sampled_out');
    assert.equal(state().tasks[task_id]!.state, 'awaiting_settlement');
    const epoch = state().current_epoch;
    await net.coordinator.service.closeEpoch();
    await waitFor(() => state().settlements[epoch]?.state === 'candidate_ready', 'candidate ready', 30_000);
    const rootBefore = state().settlements[epoch]!.candidate!.statement.settlement_root;
    const stakesBefore = OPERATORS.map(stake);

    const challenges = net.coordinator.service.challenges!;
    const opened = await challenges.open(
      {
        target: { kind: 'task', task_id },
        bond: '500',
        evidence: {
          kind: 'group_under_k_min',
          task_id,
          attempt: 1,
          output_hash: await outputHashOf(task_id),
          group_key: JSON.stringify(['Tampines']),
          claimed_subjects: 2,
        },
      },
      { actor_id: WATCHER, roles: ['verifier'] },
    );
    const id = opened.challenge.challenge_id;
    await waitFor(() => state().challenges[id]?.state === 'penalty_recorded', 'penalty recorded', 30_000);
    const t = state().tasks[task_id]!;
    assert.equal(t.state, 'rejected');
    assert.equal(t.reason_code, 'challenge_upheld');
    const detail = await challenges.get(id);
    assert.equal(detail?.adjudication?.reason_code, 'group_below_k_min');
    const ledger = state().stake_ledger ?? [];
    const slash = ledger.find((m) => m.ref === id && m.kind === 'slash')!;
    const i = OPERATORS.indexOf(slash.account);
    assert.ok(i >= 0);
    assert.equal(stake(slash.account), stakesBefore[i]! + BigInt(slash.delta));
    assert.equal(ledger.find((m) => m.ref === id && m.kind === 'challenger_reward')?.account, WATCHER);
    await waitFor(
      () => state().settlements[epoch]?.candidate?.statement.settlement_root !== rootBefore,
      'candidate rebuilt before finality',
      30_000,
    );
    assert.ok(!state().settlements[epoch]!.entries.some((e) => e.task_id === task_id));

    const replay = await replayInFreshProcess(net, dir, id);
    assert.equal(replay.matches, true);
    assert.equal(replay.outcome, 'confirmed');
    assert.equal(replay.decision_hash, state().challenges[id]!.decision_hash);
  });
});
