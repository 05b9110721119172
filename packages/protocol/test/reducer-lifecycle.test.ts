import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalBytes,
  fold,
  type ProtocolState,
  parseAmount,
  settlementTree,
  stateHash,
  verifyInclusion,
} from '../src/index.ts';
import { defaultParameters, fakeDigest, NetworkFixture } from './support/network-fixture.ts';

const VAULTS_A = ['vlt_a1', 'vlt_a2'];
const VAULTS_B = ['vlt_b1'];

function network(parameters = defaultParameters()): NetworkFixture {
  return new NetworkFixture()
    .genesis(parameters)
    .enterpriseNode('node_ent-a', VAULTS_A)
    .enterpriseNode('node_ent-b', VAULTS_B);
}

/** State hash ignoring the head and the ignored-entry counter: what a refused entry must not change. */
function contentHash(state: ProtocolState): string {
  return stateHash({ ...state, head: null, last_time_ms: 0, ignored: { count: 0 } });
}

function epochRewardTotal(state: ProtocolState, epoch_id: number): bigint {
  return Object.values(state.rewards)
    .filter((r) => r.epoch_id === epoch_id && r.state === 'finalized')
    .reduce((s, r) => s + parseAmount(r.amount ?? '0'), 0n);
}

describe('reducer: a task from admission to a finalized settlement', () => {
  it('passes every task state in order and finalizes the epoch with 2 of 3 master signatures', () => {
    const net = network().completeTask('tsk_one', ['vlt_a1']).completeTask('tsk_two', ['vlt_a2', 'vlt_b1']);
    assert.equal(net.state.tasks.tsk_one!.state, 'awaiting_settlement');
    net.closeEpoch();
    const s = net.state.settlements[1]!;
    assert.equal(s.state, 'candidate_ready');
    assert.equal(s.entries.length, 2);
    assert.equal(net.sign(1, 0).kind, 'applied');
    assert.equal(net.state.settlements[1]!.state, 'finalizing');
    assert.equal(net.sign(1, 2).kind, 'applied');
    const final = net.state.settlements[1]!;
    assert.equal(final.state, 'finalized');
    assert.equal(final.certificate?.signatures.length, 2);
    assert.deepEqual(
      final.history.map((h) => h.state),
      ['collecting', 'verifying_inputs', 'candidate_ready', 'finalizing', 'finalized'],
    );
    assert.deepEqual(
      net.state.tasks.tsk_one!.history.map((h) => h.state),
      ['accepted', 'resolving', 'dispatched', 'verifying', 'awaiting_settlement', 'completed'],
    );
    const fees = final.entries.reduce((sum, e) => sum + parseAmount(e.fee), 0n);
    assert.equal(epochRewardTotal(net.state, 1), fees);
    const payouts = Object.values(net.state.payouts).reduce((sum, p) => sum + parseAmount(p.amount), 0n);
    assert.equal(payouts, fees);
    assert.equal(net.state.current_epoch, 2);
    assert.equal(net.state.settlements[2]!.state, 'collecting');
  });

  it('a third signature after finality is refused and changes nothing', () => {
    const net = network().completeTask('tsk_one', ['vlt_a1']).closeEpoch();
    net.sign(1, 0);
    net.sign(1, 1);
    const before = contentHash(net.state);
    const outcome = net.sign(1, 2);
    assert.equal(outcome.kind, 'ignored');
    assert.equal(contentHash(net.state), before);
  });

  it('every settled entry has an inclusion proof against the candidate root', () => {
    const net = network();
    for (let i = 0; i < 7; i++) net.completeTask(`tsk_p${i}`, ['vlt_a1']);
    net.closeEpoch();
    const s = net.state.settlements[1]!;
    const tree = settlementTree(s.entries);
    assert.equal(tree.rootHex, s.candidate!.statement.settlement_root);
    for (const [i, e] of s.entries.entries())
      assert.ok(verifyInclusion(canonicalBytes(e), tree.proof(i), tree.rootHex));
  });

  it('replaying the log in a fresh state reproduces the same state hash', () => {
    const net = network().completeTask('tsk_one', ['vlt_a1']).closeEpoch();
    net.sign(1, 1);
    net.sign(1, 2);
    const replay = fold(net.entries);
    assert.equal(replay.fatal, undefined);
    assert.equal(stateHash(replay.state), stateHash(net.state));
  });
});

describe('reducer: refusals never change the state', () => {
  it('refuses a duplicate admission, a bad receipt signature, a wrong epoch and an early timeout', () => {
    const net = network();
    const env = net.envelope('tsk_dup', ['vlt_a1']);
    assert.equal(net.admit(env).kind, 'applied');
    const before = contentHash(net.state);

    const dup = net.admit(env);
    assert.equal(dup.kind === 'ignored' && dup.refusal.code, 'duplicate_task');

    net.must({ type: 'task_resolution_started', task_id: 'tsk_dup' });
    net.dispatch('tsk_dup');
    const afterDispatch = contentHash(net.state);
    const forged = { ...net.receipt('tsk_dup'), output_hash: fakeDigest('forged') };
    const bad = net.append({ type: 'execution_receipt_recorded', receipt: forged });
    assert.equal(bad.kind === 'ignored' && bad.refusal.code, 'bad_signature');
    assert.equal(contentHash(net.state), afterDispatch);

    const early = net.append({ type: 'task_timed_out', task_id: 'tsk_dup' });
    assert.equal(early.kind === 'ignored' && early.refusal.code, 'deadline_not_reached');
    const late = net.append({ type: 'task_timed_out', task_id: 'tsk_dup' }, { advance_ms: 600_000 });
    assert.equal(late.kind, 'applied');
    assert.equal(net.state.tasks.tsk_dup!.state, 'timed_out');
    assert.notEqual(before, contentHash(net.state));
    assert.equal(net.state.ignored.count, 3);
  });

  it('refuses an illegal lifecycle move with a reason instead of throwing', () => {
    const net = network();
    net.admit(net.envelope('tsk_x', ['vlt_a1']));
    const skip = net.append({
      type: 'execution_receipt_recorded',
      receipt: { ...net.receipt('tsk_x', { executor_node: 'node_ent-a' }) },
    });
    assert.equal(skip.kind, 'ignored');
  });

  it('refuses a malformed event by schema, naming the field', () => {
    const net = network();
    const outcome = net.append({ type: 'task_resolution_started', task_id: 'not-a-task-id' } as never);
    assert.equal(outcome.kind, 'ignored');
    assert.equal(outcome.kind === 'ignored' && outcome.refusal.code, 'malformed_event');
    assert.match(outcome.kind === 'ignored' ? outcome.refusal.message : '', /task_id/);
  });

  it('stops folding at a tampered entry and names it', () => {
    const net = network().completeTask('tsk_one', ['vlt_a1']);
    const tampered = structuredClone(net.entries);
    (tampered[6]!.event as { task_id?: string }).task_id = 'tsk_other';
    const result = fold(tampered);
    assert.equal(result.fatal?.seq, 6);
    assert.equal(result.fatal?.refusal.code, 'bad_hash');
  });
});

describe('reducer: honest failure, verification rejection and timeouts', () => {
  it('an executor that cannot execute ends the task rejected, with no reward', () => {
    const net = network();
    net.admit(net.envelope('tsk_fail', ['vlt_a1']));
    net.must({ type: 'task_resolution_started', task_id: 'tsk_fail' });
    net.dispatch('tsk_fail');
    net.must({
      type: 'execution_receipt_recorded',
      receipt: net.receipt('tsk_fail', { status: 'failed', failure_code: 'resource_limit' }),
    });
    assert.equal(net.state.tasks.tsk_fail!.state, 'rejected');
    assert.equal(net.state.tasks.tsk_fail!.reason_code, 'resource_limit');
    assert.equal(Object.keys(net.state.rewards).length, 0);
  });

  it('a rejected verification voids the task; the epoch settles without it', () => {
    const net = network().completeTask('tsk_ok', ['vlt_a1']);
    net.admit(net.envelope('tsk_bad', ['vlt_b1']));
    net.must({ type: 'task_resolution_started', task_id: 'tsk_bad' });
    net.dispatch('tsk_bad');
    net.must({ type: 'execution_receipt_recorded', receipt: net.receipt('tsk_bad') });
    net.must({ type: 'verification_decided', decision: net.decision('tsk_bad', 'rejected', 0, 'output_mismatch') });
    net.closeEpoch();
    assert.deepEqual(
      net.state.settlements[1]!.entries.map((e) => e.task_id),
      ['tsk_ok'],
    );
  });

  it('re-dispatch takes the next attempt; a receipt for an old attempt is refused', () => {
    const net = network();
    net.admit(net.envelope('tsk_retry', ['vlt_a1']));
    net.must({ type: 'task_resolution_started', task_id: 'tsk_retry' });
    net.dispatch('tsk_retry', 1);
    const stale = net.receipt('tsk_retry');
    assert.equal(net.dispatch('tsk_retry', 3).kind, 'ignored');
    assert.equal(net.dispatch('tsk_retry', 2).kind, 'applied');
    const outcome = net.append({ type: 'execution_receipt_recorded', receipt: stale });
    assert.equal(outcome.kind === 'ignored' && outcome.refusal.code, 'stale_attempt');
  });
});

describe('reducer: challenges in candidate context', () => {
  const challenge = (id: string, task_id: string, evidence = 'evidence/1') => ({
    type: 'challenge_opened' as const,
    challenge: {
      schema_version: 1 as const,
      challenge_id: id,
      target: { kind: 'task' as const, task_id },
      challenger: 'act_watcher',
      grounds: 'output_mismatch',
      bond: '500',
      evidence_hash: fakeDigest(evidence),
    },
  });

  it('a challenge withdraws the candidate; not confirmed, the task settles under a new attempt', () => {
    const net = network().completeTask('tsk_a', ['vlt_a1']).completeTask('tsk_b', ['vlt_b1']).closeEpoch();
    const first = net.statement(1);
    net.sign(1, 0);
    net.must(challenge('chl_1', 'tsk_a'));
    assert.equal(net.state.tasks.tsk_a!.state, 'challenged');
    assert.equal(net.state.settlements[1]!.state, 'verifying_inputs');
    assert.ok(
      Object.values(net.state.rewards)
        .filter((r) => r.task_id === 'tsk_a')
        .every((r) => r.state === 'blocked'),
    );
    net.must({ type: 'challenge_review_started', challenge_id: 'chl_1' });
    net.must({
      type: 'challenge_decided',
      challenge_id: 'chl_1',
      outcome: 'not_confirmed',
      decision_hash: fakeDigest('d'),
    });
    net.must({ type: 'challenge_closed', challenge_id: 'chl_1', outcome: 'closed_without_penalty' });
    assert.equal(net.state.tasks.tsk_a!.state, 'awaiting_settlement');
    const s = net.state.settlements[1]!;
    assert.equal(s.state, 'candidate_ready');
    assert.equal(s.attempt, 2);
    const stale = net.sign(1, 1, first);
    assert.equal(stale.kind === 'ignored' && stale.refusal.code, 'stale_attempt');
    net.sign(1, 1);
    net.sign(1, 2);
    assert.equal(net.state.settlements[1]!.state, 'finalized');
    assert.equal(net.state.settlements[1]!.candidate!.statement.settlement_root, first.settlement_root);
  });

  it('a confirmed challenge rejects the task and changes the root before finality', () => {
    const net = network().completeTask('tsk_a', ['vlt_a1']).completeTask('tsk_b', ['vlt_b1']).closeEpoch();
    const rootBefore = net.statement(1).settlement_root;
    net.must(challenge('chl_2', 'tsk_b'));
    net.must({ type: 'challenge_review_started', challenge_id: 'chl_2' });
    net.must({
      type: 'challenge_decided',
      challenge_id: 'chl_2',
      outcome: 'confirmed',
      decision_hash: fakeDigest('d2'),
    });
    net.must({ type: 'challenge_closed', challenge_id: 'chl_2', outcome: 'penalty_recorded' });
    assert.equal(net.state.tasks.tsk_b!.state, 'rejected');
    const s = net.state.settlements[1]!;
    assert.deepEqual(
      s.entries.map((e) => e.task_id),
      ['tsk_a'],
    );
    assert.notEqual(s.candidate!.statement.settlement_root, rootBefore);
    net.sign(1, 0);
    net.sign(1, 1);
    assert.equal(net.state.settlements[1]!.state, 'finalized');
    assert.ok(
      Object.values(net.state.rewards)
        .filter((r) => r.task_id === 'tsk_b')
        .every((r) => r.state === 'blocked'),
    );
  });

  it('under a policy that requires approval, a penalty waits for governance', () => {
    const net = network(defaultParameters({ challenge_requires_approval: true }))
      .completeTask('tsk_a', ['vlt_a1'])
      .closeEpoch();
    net.must(challenge('chl_3', 'tsk_a'));
    net.must({ type: 'challenge_review_started', challenge_id: 'chl_3' });
    net.must({
      type: 'challenge_decided',
      challenge_id: 'chl_3',
      outcome: 'confirmed',
      decision_hash: fakeDigest('d3'),
    });
    const early = net.append({ type: 'challenge_closed', challenge_id: 'chl_3', outcome: 'penalty_recorded' });
    assert.equal(early.kind === 'ignored' && early.refusal.code, 'approval_required');
    net.must({ type: 'challenge_approved', challenge_id: 'chl_3', approver: 'act_governance' });
    net.must({ type: 'challenge_closed', challenge_id: 'chl_3', outcome: 'penalty_recorded' });
    assert.equal(net.state.tasks.tsk_a!.state, 'rejected');
  });

  it('a verifier that disputes a result opens a challenge; cleared, the task is accepted', () => {
    const net = network();
    net.admit(net.envelope('tsk_d', ['vlt_a1']));
    net.must({ type: 'task_resolution_started', task_id: 'tsk_d' });
    net.dispatch('tsk_d');
    net.must({ type: 'execution_receipt_recorded', receipt: net.receipt('tsk_d') });
    net.must({ type: 'verification_decided', decision: net.decision('tsk_d', 'challenged', 1, 'inconclusive') });
    const id = Object.keys(net.state.challenges)[0]!;
    assert.equal(net.state.tasks.tsk_d!.state, 'challenged');
    net.must({ type: 'challenge_review_started', challenge_id: id });
    net.must({
      type: 'challenge_decided',
      challenge_id: id,
      outcome: 'not_confirmed',
      decision_hash: fakeDigest('d4'),
    });
    net.must({ type: 'challenge_closed', challenge_id: id, outcome: 'closed_without_penalty' });
    assert.equal(net.state.tasks.tsk_d!.state, 'awaiting_settlement');
    assert.equal(net.state.tasks.tsk_d!.settle_epoch, 1);
  });

  it('after finality, a penalty appends adjusted records and never edits finalized ones', () => {
    const net = network(defaultParameters({ challenge_window_ms: 3_600_000 }))
      .completeTask('tsk_a', ['vlt_a1'])
      .closeEpoch();
    const early = net.sign(1, 0);
    assert.equal(early.kind === 'ignored' && early.refusal.code, 'challenge_window_open');
    net.sign(1, 0, undefined);
    net.append({ type: 'task_resolution_started', task_id: 'tsk_none' }, { advance_ms: 3_600_000 });
    net.sign(1, 0);
    net.sign(1, 1);
    assert.equal(net.state.settlements[1]!.state, 'finalized');
    const finalized = structuredClone(Object.values(net.state.rewards).filter((r) => r.state === 'finalized'));
    net.must(challenge('chl_late', 'tsk_a'));
    assert.equal(net.state.tasks.tsk_a!.state, 'completed');
    net.must({ type: 'challenge_review_started', challenge_id: 'chl_late' });
    net.must({
      type: 'challenge_decided',
      challenge_id: 'chl_late',
      outcome: 'confirmed',
      decision_hash: fakeDigest('d5'),
    });
    net.must({ type: 'challenge_closed', challenge_id: 'chl_late', outcome: 'penalty_recorded' });
    for (const r of finalized) assert.deepEqual(net.state.rewards[r.reward_id], r);
    const adjusted = Object.values(net.state.rewards).filter((r) => r.state === 'adjusted');
    assert.equal(adjusted.length, finalized.filter((r) => r.amount !== '0').length);
    const net0 = adjusted.reduce((s, r) => s + BigInt(r.delta!), 0n) + epochRewardTotal(net.state, 1);
    assert.equal(net0, 0n);
  });
});

describe('reducer: finality faults', () => {
  it('records a master that signs two statements for one epoch and attempt', () => {
    const net = network().completeTask('tsk_a', ['vlt_a1']).closeEpoch();
    const honest = net.statement(1);
    net.sign(1, 2, { ...honest, settlement_root: fakeDigest('other root') });
    net.sign(1, 2, honest);
    assert.equal(net.state.equivocations.length, 1);
    assert.equal(net.state.equivocations[0]!.master_id, 'node_master-3');
    assert.notEqual(net.state.settlements[1]!.state, 'finalized');
  });

  it('fails when masters cannot reach a quorum, then recovers with a new attempt', () => {
    const net = network().completeTask('tsk_a', ['vlt_a1']).closeEpoch();
    const honest = net.statement(1);
    net.sign(1, 0, { ...honest, rewards_root: fakeDigest('x') });
    net.sign(1, 1, { ...honest, rewards_root: fakeDigest('y') });
    assert.equal(net.state.settlements[1]!.state, 'failed');
    net.must({ type: 'settlement_retried', epoch_id: 1 });
    const s = net.state.settlements[1]!;
    assert.equal(s.state, 'candidate_ready');
    assert.equal(s.attempt, 2);
    net.sign(1, 0);
    net.sign(1, 1);
    assert.equal(net.state.settlements[1]!.state, 'finalized');
  });

  it('refuses a signature from a key that is not a master', () => {
    const net = network().completeTask('tsk_a', ['vlt_a1']).closeEpoch();
    const st = net.statement(1);
    const outcome = net.append({
      type: 'settlement_signed',
      master_id: 'node_master-1',
      statement: st,
      signature: net.masters[1]!.key.sign(new Uint8Array(32)),
    });
    assert.equal(outcome.kind === 'ignored' && outcome.refusal.code, 'bad_signature');
  });
});

describe('reducer: epochs and governance', () => {
  it('refuses a scheduled close before the epoch is due, and accepts it after', () => {
    const net = network();
    const early = net.append({ type: 'epoch_closed', epoch_id: 1, trigger: 'schedule' });
    assert.equal(early.kind === 'ignored' && early.refusal.code, 'epoch_not_due');
    const due = net.append({ type: 'epoch_closed', epoch_id: 1, trigger: 'schedule' }, { advance_ms: 3_600_000 });
    assert.equal(due.kind, 'applied');
    assert.equal(net.state.current_epoch, 2);
    assert.equal(net.state.epochs[1]!.closed_at_seq, net.entries.length - 1);
  });

  it('publishes a parameter set only for a future epoch, in version order', () => {
    const net = network();
    const retro = net.append({
      type: 'policy_published',
      parameters: defaultParameters({ policy_version: 2, effective_from_epoch: 1 }),
    });
    assert.equal(retro.kind === 'ignored' && retro.refusal.code, 'retroactive_policy');
    const skip = net.append({
      type: 'policy_published',
      parameters: defaultParameters({ policy_version: 3, effective_from_epoch: 2 }),
    });
    assert.equal(skip.kind === 'ignored' && skip.refusal.code, 'policy_version_out_of_order');
    const bad = net.append({
      type: 'policy_published',
      parameters: defaultParameters({
        policy_version: 2,
        effective_from_epoch: 2,
        reward_split_bps: { data_producer: 1, vault_operator: 0, executor: 0, verifier: 0, treasury: 0 },
      }),
    });
    assert.equal(bad.kind === 'ignored' && bad.refusal.code, 'invalid_parameters');
    net.must({
      type: 'policy_published',
      parameters: defaultParameters({ policy_version: 2, effective_from_epoch: 2, k_min: 10 }),
    });
    const tooSoon = net.admit(net.envelope('tsk_v2', ['vlt_a1'], { policy_version: 2 }));
    assert.equal(tooSoon.kind === 'ignored' && tooSoon.refusal.code, 'policy_not_yet_effective');
    net.closeEpoch();
    assert.equal(net.admit(net.envelope('tsk_v2', ['vlt_a1'], { policy_version: 2 })).kind, 'applied');
  });

  it('refuses an entry stamped with another epoch than its position implies', () => {
    const net = network();
    const env = net.envelope('tsk_e', ['vlt_a1'], { epoch_id: 2 });
    const outcome = net.admit(env);
    assert.equal(outcome.kind === 'ignored' && outcome.refusal.code, 'wrong_epoch');
  });
});
