/**
 * With an economics policy, settling an epoch mints its emission as reward records: the finalized
 * ledger equals the fees plus the epoch's emission exactly, the records are covered by the rewards
 * root, and a withdrawn candidate drops them (a rebuilt one derives the same again).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accountingOf, EMISSION_YEAR_MS, epochEmission, reconcileEpoch, rewardTree } from '../src/index.ts';
import { understaked } from '../src/reducer/stake-compliance.ts';
import { defaultParameters, NetworkFixture } from './support/network-fixture.ts';

const economics = {
  genesis_supply: '1000000000000000',
  emission_year_bps: [800, 500, 300, 150],
  data_quality_pool_bps: 6000,
  unbonding_period_ms: 0,
};

function settled(): NetworkFixture {
  const net = new NetworkFixture().genesis(defaultParameters({ economics })).enterpriseNode('node_ent-1', ['vlt_a']);
  for (const id of ['tsk_1', 'tsk_2']) net.completeTask(id, ['vlt_a']);
  net.time_ms += 3_600_000;
  net.closeEpoch();
  return net;
}

describe('emission in settlement', () => {
  it('the finalized ledger is the fees plus the epoch emission, exactly, and payouts pay all of it', () => {
    const net = settled();
    const s = net.state.settlements[1]!;
    const window = net.state.epochs[1]!;
    const expected = epochEmission(economics, window.opened_at_ms, window.opened_at_ms, window.closed_at_ms!);
    assert.ok(expected.total > 0n);
    assert.equal(s.candidate!.total_emission, expected.total.toString());
    const calculated = Object.values(net.state.rewards).filter((r) => r.state === 'calculated');
    assert.equal(s.candidate!.statement.rewards_root, rewardTree(calculated).rootHex);
    assert.equal(s.candidate!.statement.reward_count, calculated.length);

    assert.equal(net.sign(1, 0).kind, 'applied');
    assert.equal(net.sign(1, 1).kind, 'applied');
    assert.equal(s.state, 'finalized');
    const finalized = Object.values(net.state.rewards).filter((r) => r.state === 'finalized');
    const emission = finalized.filter((r) => r.source === 'emission');
    const fees = s.entries.reduce((t, e) => t + BigInt(e.fee), 0n);
    const sum = (rs: typeof finalized) => rs.reduce((t, r) => t + BigInt(r.amount!), 0n);
    assert.equal(sum(emission), expected.total);
    assert.equal(sum(finalized), fees + expected.total);
    const dataQuality = sum(emission.filter((r) => r.role === 'data_producer'));
    assert.ok(dataQuality <= expected.data_quality && dataQuality > 0n);
    const paid = Object.values(net.state.payouts).reduce((t, i) => t + BigInt(i.amount), 0n);
    assert.equal(paid, fees + expected.total);
    assert.equal(
      Object.values(net.state.payout_batches!).reduce((t, b) => t + BigInt(b.total), 0n),
      paid,
    );
    // The audit's reconciliation keeps emission apart from the fees it splits, and pays it.
    const reconciled = reconcileEpoch(accountingOf(net.state, 1), s.certificate!.statement, net.state.treasury_account);
    assert.deepEqual(reconciled.findings, []);
    assert.equal(reconciled.totals.emission, expected.total.toString());
    assert.equal(BigInt(reconciled.totals.payouts), fees + expected.total);
  });

  it('a failed settlement retried rebuilds the same emission records, without duplicates', () => {
    const net = settled();
    const before = Object.keys(net.state.rewards).sort();
    net.must({ type: 'settlement_failed', epoch_id: 1, reason_code: 'no_quorum' });
    net.must({ type: 'settlement_retried', epoch_id: 1 });
    assert.equal(net.state.settlements[1]!.attempt, 2);
    assert.deepEqual(Object.keys(net.state.rewards).sort(), before);
  });

  it('an understaked executor or verifier is blocked (stake_non_compliance): its share goes to the treasury', () => {
    const net = settled();
    const blocked = Object.values(net.state.rewards).filter((r) => r.state === 'blocked');
    assert.ok(blocked.length > 0);
    assert.ok(blocked.every((r) => r.blocked_reason === 'stake_non_compliance'));
    assert.deepEqual([...new Set(blocked.map((r) => r.role))].sort(), ['executor', 'verifier']);
    const emitted = Object.values(net.state.rewards).filter((r) => r.source === 'emission');
    assert.ok(emitted.every((r) => r.role !== 'executor' && r.role !== 'verifier'));
    const s = net.state.settlements[1]!;
    const fees = s.entries.reduce((t, e) => t + BigInt(e.fee), 0n);
    const calculated = Object.values(net.state.rewards).filter((r) => r.state === 'calculated');
    assert.equal(
      calculated.reduce((t, r) => t + BigInt(r.amount!), 0n),
      fees + BigInt(s.candidate!.total_emission!),
    );
  });

  it('compliance reads the bonded stake against the role minimum, and only under an economics policy', () => {
    const net = settled();
    const policy = net.state.parameter_history[0]!;
    const line = { account: 'act_op-ent-1', role: 'executor' };
    assert.equal(understaked(net.state, policy, line), true);
    net.state.accounts['act_op-ent-1'] = { balance: '0', stake: policy.min_stake.executor };
    assert.equal(understaked(net.state, policy, line), false);
    assert.equal(understaked(net.state, policy, { account: 'act_alice', role: 'data_producer' }), false);
    const { economics: _, ...plain } = policy;
    net.state.accounts['act_op-ent-1'] = { balance: '0', stake: '0' };
    assert.equal(understaked(net.state, plain, line), false);
  });

  it('an epoch that settles nothing mints nothing; emission ends after the schedule', () => {
    const net = new NetworkFixture().genesis(defaultParameters({ economics }));
    net.time_ms += 3_600_000;
    net.closeEpoch();
    assert.equal(Object.keys(net.state.rewards).length, 0);
    assert.equal(net.state.settlements[1]!.candidate!.total_emission, undefined);
    assert.equal(epochEmission(economics, 0, 4 * EMISSION_YEAR_MS, 5 * EMISSION_YEAR_MS).total, 0n);
  });
});
