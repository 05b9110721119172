import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ExecutionReceipt, parseAmount, replayAdjudication } from '../src/index.ts';
import { challengeOf, runChallenge } from './support/challenge-flow.ts';
import { fakeDigest } from './support/network-fixture.ts';
import { actorDecision, EXECUTOR_STAKE, executeTask, verificationNetwork } from './support/verification-network.ts';

/** A test-only enclave: the honest output of a task, and a faulty one that is subtly wrong on every tenth execution. */
const honest = (task_id: string) => fakeDigest(`output/${task_id}`);
function faultyEnclave() {
  let runs = 0;
  return (task_id: string) => {
    runs++;
    // One changed character of the hash: a subtly wrong result, 1 time in 10.
    return runs % 10 === 7
      ? `${honest(task_id).slice(0, 63)}${honest(task_id).endsWith('0') ? '1' : '0'}`
      : honest(task_id);
  };
}
const transcriptOf = (output: string) => fakeDigest(`transcript/${output}`);

describe('a faulty executor is caught by sampled verification and by challenges', () => {
  it('its wrong results end rejected, its stake is slashed, the challenger is rewarded, the root changes before finality', () => {
    const net = verificationNetwork({ verification_sample_bps: 5000 });
    const enclave = faultyEnclave();
    const receipts = new Map<string, ExecutionReceipt>();
    const tasks = Array.from({ length: 60 }, (_, i) => `tsk_f${String(i).padStart(2, '0')}`);
    for (const id of tasks) receipts.set(id, executeTask(net, id, 'vlt_a1', enclave(id)));
    const wrong = tasks.filter((id) => receipts.get(id)!.output_hash !== honest(id));
    assert.equal(wrong.length, 6);

    // The assigned verifier re-executes sampled receipts in an independent (honest) enclave.
    let caughtByVerification = 0;
    for (const id of tasks) {
      const a = net.state.tasks[id]!.verification_assignment!;
      const again = honest(id);
      const same = again === receipts.get(id)!.output_hash;
      if (a.sampled && !same) caughtByVerification++;
      const decision = !a.sampled
        ? actorDecision(net, id, a.verifier!, 'accepted', { method: 'sampled_out' })
        : same
          ? actorDecision(net, id, a.verifier!, 'accepted', { reexecution_output_hash: again })
          : actorDecision(net, id, a.verifier!, 'rejected', {
              reason_code: 'output_mismatch',
              reexecution_output_hash: again,
            });
      net.must({ type: 'verification_decided', decision });
    }
    assert.ok(
      caughtByVerification > 0 && caughtByVerification < wrong.length,
      `${caughtByVerification} caught by sampling`,
    );
    const stakeAfterVerification = parseAmount(net.state.accounts['act_op-ent-a']!.stake);
    assert.ok(stakeAfterVerification < parseAmount(EXECUTOR_STAKE));

    net.closeEpoch();
    const rootBefore = net.statement(1).settlement_root;
    // A watcher replays every settling result and challenges the ones that differ.
    const escaped = tasks.filter((id) => net.state.tasks[id]!.state === 'awaiting_settlement' && wrong.includes(id));
    assert.equal(escaped.length, wrong.length - caughtByVerification);
    const watcherBefore = parseAmount(net.state.accounts.act_watcher!.balance);
    for (const [i, id] of escaped.entries()) {
      const replay = honest(id);
      const evidence = {
        kind: 'replay_output' as const,
        task_id: id,
        attempt: 1,
        output_hash: replay,
        transcript_hash: transcriptOf(replay),
      };
      const a = runChallenge(net, challengeOf(`chl_f${i}`, { kind: 'task', task_id: id }, evidence), evidence, {
        receipt: receipts.get(id)!,
        reexecution: { output_hash: replay, transcript_hash: transcriptOf(replay) },
      });
      assert.equal(a.outcome, 'confirmed');
      assert.equal(a.reason_code, 'output_mismatch');
      assert.equal(net.state.challenges[`chl_f${i}`]!.state, 'penalty_recorded');
    }

    for (const id of wrong) assert.equal(net.state.tasks[id]!.state, 'rejected', id);
    const s = net.state.settlements[1]!;
    assert.equal(s.state, 'candidate_ready');
    assert.notEqual(s.candidate!.statement.settlement_root, rootBefore);
    assert.deepEqual(
      s.entries.map((e) => e.task_id),
      tasks.filter((id) => !wrong.includes(id)),
    );
    // Each penalty slashed slash_bps (10%) of the stake then left; half of it went to the beneficiary.
    let stake = parseAmount(EXECUTOR_STAKE);
    for (let i = 0; i < wrong.length; i++) stake -= (stake * 1000n) / 10_000n;
    assert.equal(parseAmount(net.state.accounts['act_op-ent-a']!.stake), stake);
    const ledger = net.state.stake_ledger ?? [];
    const rewards = ledger.filter((m) => m.kind === 'challenger_reward' && m.account === 'act_watcher');
    assert.equal(rewards.length, escaped.length);
    const rewarded = rewards.reduce((sum, m) => sum + parseAmount(m.delta), 0n);
    // Bonds came back in full; the rewards are the watcher's gain.
    assert.equal(parseAmount(net.state.accounts.act_watcher!.balance), watcherBefore + rewarded);
    const slashed = ledger.filter((m) => m.kind === 'slash').reduce((sum, m) => sum - BigInt(m.delta), 0n);
    assert.equal(slashed, parseAmount(EXECUTOR_STAKE) - stake);

    // The new candidate finalizes; no reward for a wrong result.
    net.sign(1, 0);
    net.sign(1, 1);
    assert.equal(net.state.settlements[1]!.state, 'finalized');
    for (const id of wrong)
      assert.ok(Object.values(net.state.rewards).every((r) => r.task_id !== id || r.state !== 'finalized'));

    // Every challenge replays to the logged decision from the log and its evidence alone.
    for (const [i, id] of escaped.entries()) {
      const replay = honest(id);
      const r = replayAdjudication(
        net.entries,
        `chl_f${i}`,
        { kind: 'replay_output', task_id: id, attempt: 1, output_hash: replay, transcript_hash: transcriptOf(replay) },
        { receipt: receipts.get(id)!, reexecution: { output_hash: replay, transcript_hash: transcriptOf(replay) } },
      );
      assert.equal(r?.matches, true);
    }
  });

  it('an executor that honestly reports it cannot execute is rejected, never slashed, never challengeable', () => {
    const net = verificationNetwork();
    const env = net.envelope('tsk_cant', ['vlt_a1'], { authorization: { grant_ids: ['grt_a1'] } });
    net.admit(env);
    net.must({ type: 'task_resolution_started', task_id: 'tsk_cant' });
    net.dispatch('tsk_cant');
    net.must({
      type: 'execution_receipt_recorded',
      receipt: net.receipt('tsk_cant', { status: 'failed', failure_code: 'resource_limit' }),
    });
    assert.equal(net.state.tasks.tsk_cant!.state, 'rejected');
    assert.equal(net.state.accounts['act_op-ent-a']!.stake, EXECUTOR_STAKE);
    const evidence = {
      kind: 'replay_output' as const,
      task_id: 'tsk_cant',
      attempt: 1,
      output_hash: fakeDigest('x'),
      transcript_hash: fakeDigest('y'),
    };
    const refused = net.append({
      type: 'challenge_opened',
      challenge: challengeOf('chl_cant', { kind: 'task', task_id: 'tsk_cant' }, evidence),
    });
    assert.equal(refused.kind === 'ignored' && refused.refusal.code, 'task_not_challengeable');
    assert.equal(net.state.stake_ledger, undefined);
  });
});
