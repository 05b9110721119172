import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignVerification, eligibleVerifiers, fold, stateHash } from '../src/index.ts';
import { fakeDigest } from './support/network-fixture.ts';
import { actorDecision, executeTask, VERIFIERS, verificationNetwork } from './support/verification-network.ts';

describe('verifiers: staked actors assigned by a deterministic rule from the log', () => {
  it('assigns each receipt to an eligible staked verifier, the same on every fold', () => {
    const net = verificationNetwork();
    for (let i = 0; i < 12; i++) executeTask(net, `tsk_as${i}`, i % 2 ? 'vlt_a1' : 'vlt_b1', fakeDigest(`o${i}`));
    const assigned = Object.values(net.state.tasks).map((t) => t.verification_assignment?.verifier);
    for (const v of assigned)
      assert.ok(VERIFIERS.includes(v as (typeof VERIFIERS)[number]), `${v} is a staked verifier`);
    assert.ok(new Set(assigned).size > 1, 'the rule spreads work over verifiers');
    const again = fold(net.entries);
    assert.equal(stateHash(again.state), stateHash(net.state));
  });

  it('never assigns the operator of the executing node, nor an under-staked verifier', () => {
    const net = verificationNetwork();
    const policy = net.state.parameter_history[0];
    // The watcher holds stake below the verifier minimum: never eligible.
    assert.deepEqual(eligibleVerifiers(net.state, policy, undefined), [...VERIFIERS]);
    assert.deepEqual(eligibleVerifiers(net.state, policy, 'act_verifier-2'), ['act_verifier-1', 'act_verifier-3']);
    net.must({
      type: 'actor_registered',
      actor_id: 'act_op-ent-c',
      roles: ['executor', 'verifier'],
      public_key: fakeDigest('k'),
    });
    net.must({ type: 'account_funded', actor_id: 'act_op-ent-c', account: 'stake', amount: '5000000' });
    net.must({
      type: 'node_registered',
      node_id: 'node_ent-c',
      kind: 'enterprise',
      public_key: fakeDigest('k'),
      operator: 'act_op-ent-c',
    });
    for (let seq = 0; seq < 50; seq++) {
      const a = assignVerification(net.state, {
        task_id: 'tsk_x',
        attempt: 1,
        policy_version: 1,
        executor_node: 'node_ent-c',
        seq,
        entryHash: fakeDigest(`e${seq}`),
        receiptHash: fakeDigest('r'),
      });
      assert.notEqual(a.verifier, 'act_op-ent-c');
    }
  });

  it('refuses a decision from an unassigned verifier or a master, and accepts the assigned one', () => {
    const net = verificationNetwork();
    executeTask(net, 'tsk_v', 'vlt_a1', fakeDigest('ok'));
    const assigned = net.state.tasks.tsk_v!.verification_assignment!.verifier!;
    const other = VERIFIERS.find((v) => v !== assigned)!;
    const wrong = net.append({
      type: 'verification_decided',
      decision: actorDecision(net, 'tsk_v', other, 'accepted'),
    });
    assert.equal(wrong.kind === 'ignored' && wrong.refusal.code, 'unassigned_verifier');
    const master = net.append({ type: 'verification_decided', decision: net.decision('tsk_v', 'accepted') });
    assert.equal(master.kind === 'ignored' && master.refusal.code, 'unassigned_verifier');
    assert.equal(net.state.tasks.tsk_v!.state, 'verifying');
    net.must({ type: 'verification_decided', decision: actorDecision(net, 'tsk_v', assigned, 'accepted') });
    assert.equal(net.state.tasks.tsk_v!.state, 'awaiting_settlement');
    assert.ok(net.state.tasks.tsk_v!.contributions!.some((c) => c.account === assigned && c.role === 'verifier'));
  });

  it('samples by policy: a skipped receipt may be accepted as sampled_out, a sampled one may not', () => {
    const net = verificationNetwork({ verification_sample_bps: 5000 });
    const tasks = Array.from({ length: 20 }, (_, i) => `tsk_s${i}`);
    for (const [i, id] of tasks.entries()) executeTask(net, id, 'vlt_a1', fakeDigest(`s${i}`));
    const sampled = tasks.filter((id) => net.state.tasks[id]!.verification_assignment!.sampled);
    const skipped = tasks.filter((id) => !net.state.tasks[id]!.verification_assignment!.sampled);
    assert.ok(sampled.length > 0 && skipped.length > 0, `${sampled.length} sampled of 20`);
    const a = sampled[0]!;
    const refused = net.append({
      type: 'verification_decided',
      decision: actorDecision(net, a, net.state.tasks[a]!.verification_assignment!.verifier!, 'accepted', {
        method: 'sampled_out',
      }),
    });
    assert.equal(refused.kind === 'ignored' && refused.refusal.code, 'sample_requires_check');
    const b = skipped[0]!;
    net.must({
      type: 'verification_decided',
      decision: actorDecision(net, b, net.state.tasks[b]!.verification_assignment!.verifier!, 'accepted', {
        method: 'sampled_out',
      }),
    });
    assert.equal(net.state.tasks[b]!.state, 'awaiting_settlement');
  });

  it('verify-all by default: every receipt is sampled', () => {
    const net = verificationNetwork();
    for (let i = 0; i < 10; i++) executeTask(net, `tsk_all${i}`, 'vlt_b1', fakeDigest(`a${i}`));
    assert.ok(Object.values(net.state.tasks).every((t) => t.verification_assignment!.sampled));
  });
});
