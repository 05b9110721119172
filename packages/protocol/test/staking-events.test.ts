/**
 * Staking as log events: a deposit bonds spendable balance (not what open tasks hold in escrow), an
 * unbonding request stops the amount counting at once, and a withdrawal releases it only after the
 * unbonding period of the policy in force, by log time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stakeCompliant } from '../src/index.ts';
import { defaultParameters, NetworkFixture, seededKey } from './support/network-fixture.ts';

const DAY = 86_400_000;

function network(): NetworkFixture {
  const economics = {
    genesis_supply: '1000000000',
    emission_year_bps: [800, 500, 300, 150],
    data_quality_pool_bps: 5000,
    unbonding_period_ms: 2 * DAY,
  };
  const net = new NetworkFixture().genesis(defaultParameters({ economics }));
  net.must({
    type: 'actor_registered',
    actor_id: 'act_exec',
    roles: ['executor'],
    public_key: seededKey('act_exec').publicKeyHex,
  });
  net.must({ type: 'account_funded', actor_id: 'act_exec', account: 'balance', amount: '300000' });
  return net;
}

const code = (o: { kind: string; refusal?: { code: string } }) => (o.kind === 'applied' ? 'applied' : o.refusal?.code);

describe('staking events', () => {
  it('deposit moves spendable balance to stake and makes the executor compliant', () => {
    const net = network();
    assert.equal(stakeCompliant(net.state, 'act_exec', 'executor', 1), false);
    assert.equal(
      code(net.append({ type: 'stake_deposited', actor_id: 'act_exec', amount: '300001' })),
      'insufficient_balance',
    );
    assert.equal(code(net.append({ type: 'stake_deposited', actor_id: 'act_exec', amount: '0' })), 'zero_amount');
    assert.equal(code(net.append({ type: 'stake_deposited', actor_id: 'act_nobody', amount: '1' })), 'unknown_actor');
    net.must({ type: 'stake_deposited', actor_id: 'act_exec', amount: '150000' });
    assert.deepEqual(net.state.accounts.act_exec, { balance: '150000', stake: '150000' });
    assert.equal(stakeCompliant(net.state, 'act_exec', 'executor', 1), true);
  });

  it('unbonding stops counting at once and is released only after the period', () => {
    const net = network();
    net.must({ type: 'stake_deposited', actor_id: 'act_exec', amount: '150000' });
    assert.equal(
      code(net.append({ type: 'stake_unbonding_requested', actor_id: 'act_exec', amount: '150001' })),
      'insufficient_stake',
    );
    net.must({ type: 'stake_unbonding_requested', actor_id: 'act_exec', amount: '100000' });
    const account = net.state.accounts.act_exec!;
    assert.equal(account.stake, '50000');
    assert.equal(stakeCompliant(net.state, 'act_exec', 'executor', 1), false);
    assert.equal(account.unbonding![0]!.release_at_ms, net.time_ms + 2 * DAY);
    assert.equal(
      code(net.append({ type: 'stake_withdrawn', actor_id: 'act_exec' }, { advance_ms: DAY })),
      'nothing_to_withdraw',
    );
    assert.equal(account.balance, '150000');
    net.must({ type: 'stake_withdrawn', actor_id: 'act_exec' }, { advance_ms: DAY });
    assert.deepEqual(net.state.accounts.act_exec, { balance: '250000', stake: '50000', unbonding: [] });
    assert.equal(code(net.append({ type: 'stake_withdrawn', actor_id: 'act_exec' })), 'nothing_to_withdraw');
  });
});
