import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  digestBytes,
  type ProtocolState,
  parseAmount,
  replayAdjudication,
  type SettlementStatement,
  stateHash,
  statementHash,
} from '../src/index.ts';
import { challengeOf, runChallenge } from './support/challenge-flow.ts';
import { fakeDigest } from './support/network-fixture.ts';
import {
  actorDecision,
  EXECUTOR_STAKE,
  executeTask,
  MASTER_STAKE,
  verificationNetwork,
} from './support/verification-network.ts';

function contentHash(state: ProtocolState): string {
  return stateHash({ ...state, head: null, last_time_ms: 0, ignored: { count: 0 } });
}

function settledNetwork(overrides = {}) {
  const net = verificationNetwork(overrides);
  const receipt = executeTask(net, 'tsk_ok', 'vlt_a1', fakeDigest('output/tsk_ok'));
  const a = net.state.tasks.tsk_ok!.verification_assignment!;
  net.must({ type: 'verification_decided', decision: actorDecision(net, 'tsk_ok', a.verifier!, 'accepted') });
  net.closeEpoch();
  return { net, receipt };
}

const stakes = (s: ProtocolState) =>
  Object.fromEntries(
    Object.entries(s.accounts)
      .filter(([, v]) => v.stake !== '0')
      .map(([k, v]) => [k, v.stake]),
  );

describe('challenges: bonds, equivocation and refused input', () => {
  it('bogus evidence ends not_confirmed then closed_without_penalty; only the bond rule moves funds', () => {
    const { net, receipt } = settledNetwork({ bond_forfeit_bps: 4000 });
    const rootBefore = net.statement(1).settlement_root;
    const stakesBefore = stakes(net.state);
    const watcher = parseAmount(net.state.accounts.act_watcher!.balance);
    const treasury = parseAmount(net.state.accounts.act_treasury?.balance ?? '0');
    // The challenger claims another output, but an independent re-execution matches the receipt.
    const evidence = {
      kind: 'replay_output' as const,
      task_id: 'tsk_ok',
      attempt: 1,
      output_hash: fakeDigest('made up'),
      transcript_hash: fakeDigest('made up transcript'),
    };
    const a = runChallenge(net, challengeOf('chl_bogus', { kind: 'task', task_id: 'tsk_ok' }, evidence), evidence, {
      receipt,
      reexecution: { output_hash: receipt.output_hash, transcript_hash: receipt.transcript_hash },
    });
    assert.equal(a.outcome, 'not_confirmed');
    assert.equal(a.reason_code, 'reexecution_matches_receipt');
    assert.deepEqual(
      net.state.challenges.chl_bogus!.history.map((h) => h.state),
      ['opened', 'reviewing', 'not_confirmed', 'closed_without_penalty'],
    );
    assert.deepEqual(stakes(net.state), stakesBefore);
    // 40% of the 500 bond forfeited to the treasury, 60% returned.
    assert.equal(parseAmount(net.state.accounts.act_watcher!.balance), watcher - 200n);
    assert.equal(parseAmount(net.state.accounts.act_treasury!.balance), treasury + 200n);
    assert.equal(net.state.tasks.tsk_ok!.state, 'awaiting_settlement');
    assert.equal(net.state.settlements[1]!.candidate!.statement.settlement_root, rootBefore);
    assert.deepEqual(
      (net.state.stake_ledger ?? []).map((m) => m.kind),
      ['bond_held', 'bond_forfeited', 'bond_returned'],
    );
    assert.equal(
      replayAdjudication(net.entries, 'chl_bogus', evidence, {
        receipt,
        reexecution: { output_hash: receipt.output_hash, transcript_hash: receipt.transcript_hash },
      })?.matches,
      true,
    );
  });

  it('a forged conflicting receipt is not confirmed; a real one signed by the executor is', () => {
    const { net, receipt } = settledNetwork();
    const forged = { ...receipt, output_hash: fakeDigest('other') };
    const bad = { kind: 'conflicting_receipt' as const, task_id: 'tsk_ok', receipt: forged };
    const a = runChallenge(net, challengeOf('chl_forged', { kind: 'task', task_id: 'tsk_ok' }, bad), bad);
    assert.equal(a.reason_code, 'receipt_signature_invalid');
    assert.equal(net.state.accounts['act_op-ent-a']!.stake, EXECUTOR_STAKE);
    const real = {
      kind: 'conflicting_receipt' as const,
      task_id: 'tsk_ok',
      receipt: net.receipt('tsk_ok', { output_hash: fakeDigest('other') }),
    };
    const b = runChallenge(net, challengeOf('chl_real', { kind: 'task', task_id: 'tsk_ok' }, real), real);
    assert.equal(b.outcome, 'confirmed');
    assert.equal(net.state.tasks.tsk_ok!.state, 'rejected');
    assert.equal(parseAmount(net.state.accounts['act_op-ent-a']!.stake), parseAmount(EXECUTOR_STAKE) - 100_000n);
  });

  it('an equivocating master is proven and slashed, and the candidate is rebuilt', () => {
    const { net } = settledNetwork();
    const good = net.statement(1);
    const other: SettlementStatement = { ...good, settlement_root: fakeDigest('another root') };
    const m = net.masters[1]!;
    const sign = (st: SettlementStatement) => m.key.sign(digestBytes(statementHash(st)));
    net.sign(1, 1); // master-2 signs the candidate...
    net.sign(1, 1, other); // ...and another root for the same epoch and attempt.
    assert.equal(net.state.equivocations.length, 1);
    const evidence = {
      kind: 'master_equivocation' as const,
      epoch_id: 1,
      master_id: m.id,
      signed: [
        { statement: good, signature: sign(good) },
        { statement: other, signature: sign(other) },
      ],
    };
    const a = runChallenge(net, challengeOf('chl_eq', { kind: 'settlement', epoch_id: 1 }, evidence), evidence);
    assert.equal(a.outcome, 'confirmed');
    assert.equal(a.accused, m.id);
    assert.equal(net.state.challenges.chl_eq!.state, 'penalty_recorded');
    assert.equal(parseAmount(net.state.accounts[m.operator]!.stake), parseAmount(MASTER_STAKE) - 200_000n);
    assert.equal(net.state.accounts['act_op-ent-a']!.stake, EXECUTOR_STAKE);
    const s = net.state.settlements[1]!;
    assert.equal(s.state, 'candidate_ready');
    assert.equal(s.attempt, 2);
    net.sign(1, 0);
    net.sign(1, 2);
    assert.equal(net.state.settlements[1]!.state, 'finalized');
    assert.equal(replayAdjudication(net.entries, 'chl_eq', evidence)?.matches, true);
  });

  it('two signatures on one statement are not equivocation', () => {
    const { net } = settledNetwork();
    const good = net.statement(1);
    const m = net.masters[0]!;
    const signed = { statement: good, signature: m.key.sign(digestBytes(statementHash(good))) };
    const evidence = { kind: 'master_equivocation' as const, epoch_id: 1, master_id: m.id, signed: [signed, signed] };
    const a = runChallenge(net, challengeOf('chl_same', { kind: 'settlement', epoch_id: 1 }, evidence), evidence);
    assert.equal(a.reason_code, 'statements_identical');
    assert.equal(net.state.accounts[m.operator]!.stake, MASTER_STAKE);
  });

  it('a master signing a root other than the candidate is slashed (wrong settlement entry)', () => {
    const { net } = settledNetwork();
    const wrong: SettlementStatement = { ...net.statement(1), entry_count: 7 };
    const m = net.masters[2]!;
    const evidence = {
      kind: 'wrong_settlement_entry' as const,
      epoch_id: 1,
      master_id: m.id,
      signed: { statement: wrong, signature: m.key.sign(digestBytes(statementHash(wrong))) },
    };
    const a = runChallenge(net, challengeOf('chl_wrong', { kind: 'settlement', epoch_id: 1 }, evidence), evidence);
    assert.equal(a.reason_code, 'master_signed_wrong_root');
    assert.ok(parseAmount(net.state.accounts[m.operator]!.stake) < parseAmount(MASTER_STAKE));
  });

  it('refuses challenges from unstaked or unfunded actors, on unknown tasks and after the window, changing nothing', () => {
    const { net } = settledNetwork();
    net.must({ type: 'actor_registered', actor_id: 'act_nobody', roles: ['verifier'], public_key: fakeDigest('n') });
    net.must({ type: 'account_funded', actor_id: 'act_nobody', account: 'balance', amount: '5000' });
    const ev = (task_id: string) => ({
      kind: 'replay_output' as const,
      task_id,
      attempt: 1,
      output_hash: fakeDigest('a'),
      transcript_hash: fakeDigest('b'),
    });
    const cases: [string, ReturnType<typeof challengeOf>][] = [
      [
        'challenger_not_staked',
        challengeOf('chl_r1', { kind: 'task', task_id: 'tsk_ok' }, ev('tsk_ok'), { challenger: 'act_nobody' }),
      ],
      [
        'unknown_challenger',
        challengeOf('chl_r2', { kind: 'task', task_id: 'tsk_ok' }, ev('tsk_ok'), { challenger: 'act_ghost' }),
      ],
      [
        'insufficient_balance',
        challengeOf('chl_r3', { kind: 'task', task_id: 'tsk_ok' }, ev('tsk_ok'), { bond: '99999' }),
      ],
      ['bond_too_small', challengeOf('chl_r4', { kind: 'task', task_id: 'tsk_ok' }, ev('tsk_ok'), { bond: '1' })],
      ['unknown_task', challengeOf('chl_r5', { kind: 'task', task_id: 'tsk_none' }, ev('tsk_none'))],
    ];
    for (const [code, challenge] of cases) {
      const before = contentHash(net.state);
      const outcome = net.append({ type: 'challenge_opened', challenge });
      assert.equal(outcome.kind === 'ignored' && outcome.refusal.code, code);
      assert.equal(contentHash(net.state), before);
    }
    net.sign(1, 0);
    net.sign(1, 1);
    assert.equal(net.state.tasks.tsk_ok!.state, 'completed');
    const before = contentHash(net.state);
    const late = net.append({
      type: 'challenge_opened',
      challenge: challengeOf('chl_late', { kind: 'task', task_id: 'tsk_ok' }, ev('tsk_ok')),
    });
    assert.equal(late.kind === 'ignored' && late.refusal.code, 'challenge_window_closed');
    assert.equal(contentHash(net.state), before);
  });

  it('a confirmed settlement challenge must name a master; a task challenge cannot accuse another node', () => {
    const { net } = settledNetwork();
    const evidence = {
      kind: 'master_equivocation' as const,
      epoch_id: 1,
      master_id: net.masters[0]!.id,
      signed: [] as never,
    };
    const c = challengeOf('chl_acc', { kind: 'settlement', epoch_id: 1 }, { ...evidence, signed: [] } as never);
    net.must({ type: 'challenge_opened', challenge: c });
    net.must({ type: 'challenge_review_started', challenge_id: 'chl_acc' });
    const missing = net.append({
      type: 'challenge_decided',
      challenge_id: 'chl_acc',
      outcome: 'confirmed',
      decision_hash: fakeDigest('d'),
    });
    assert.equal(missing.kind === 'ignored' && missing.refusal.code, 'accused_required');
    const stranger = net.append({
      type: 'challenge_decided',
      challenge_id: 'chl_acc',
      outcome: 'confirmed',
      decision_hash: fakeDigest('d'),
      accused: 'node_ent-a',
    });
    assert.equal(stranger.kind === 'ignored' && stranger.refusal.code, 'unknown_master');
  });
});
