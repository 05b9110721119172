import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PayoutBatchView, PayoutList, StakeView } from '@symphony/api';
import { runCli } from '../src/program.ts';
import { argv, captureIo } from './support/capture-io.ts';
import { type FakeApi, startFakeApi } from './support/fake-api.ts';

const stake = (over: Partial<StakeView> = {}): StakeView => ({
  actor_id: 'act_exec-1',
  balance: '150000',
  escrowed: '0',
  spendable: '150000',
  stake: '150000',
  unbonding: [],
  roles: [
    { role: 'executor', min_stake: '100000', compliant: true },
    { role: 'verifier', min_stake: '100000', compliant: true },
    { role: 'master', min_stake: '1000000', compliant: false },
  ],
  unbonding_period_ms: 604800000,
  ...over,
});

const batch: PayoutBatchView['batch'] = {
  schema_version: 1,
  batch_id: 'pbt_1-0',
  epoch_id: 1,
  index: 0,
  claim_count: 2,
  total: '3000',
  claims_root: 'a'.repeat(64),
  state: 'pending',
};

const payouts: PayoutList = {
  intents: [
    {
      schema_version: 1,
      intent_id: `pay_${'1'.repeat(32)}`,
      epoch_id: 1,
      account: 'act_alice',
      amount: '1000',
      reward_ids_hash: 'b'.repeat(64),
      reward_count: 1,
      state: 'pending',
      batch_id: 'pbt_1-0',
    },
    {
      schema_version: 1,
      intent_id: `pay_${'2'.repeat(32)}`,
      epoch_id: 1,
      account: 'act_bob',
      amount: '2000',
      reward_ids_hash: 'c'.repeat(64),
      reward_count: 2,
      state: 'pending',
      batch_id: 'pbt_1-0',
    },
  ],
  batches: [batch],
  total: '3000',
};

describe('stake and payout commands against a fake node', () => {
  let api: FakeApi;
  before(async () => {
    api = await startFakeApi({
      'GET /v1/stakes/act_exec-1': () => ({ body: stake() }),
      'POST /v1/stakes/deposit': () => ({ body: stake({ stake: '250000', balance: '50000', spendable: '50000' }) }),
      'POST /v1/stakes/unbond': () => ({
        body: stake({
          stake: '100000',
          unbonding: [{ amount: '50000', requested_seq: 9, release_at_ms: 1767830400000 }],
        }),
      }),
      'POST /v1/stakes/withdraw': () => ({
        status: 409,
        body: {
          code: 'stake_refused',
          message: 'unbonding stake is released at 1767830400000',
          details: { reason: 'nothing_to_withdraw' },
        },
      }),
      'GET /v1/payouts': () => ({ body: payouts }),
      'GET /v1/payouts/batches/pbt_1-0': () => ({
        body: {
          batch,
          claims: payouts.intents.map((i) => ({
            batch_id: 'pbt_1-0',
            epoch_id: 1,
            claimant: i.account,
            amount: i.amount,
            intent_id: i.intent_id,
          })),
        },
      }),
      'GET /v1/payouts/batches/pbt_1-0/claims/act_bob': () => ({
        body: {
          batch_id: 'pbt_1-0',
          epoch_id: 1,
          claimant: 'act_bob',
          amount: '2000',
          intent_id: `pay_${'2'.repeat(32)}`,
          leaf_index: 1,
          tree_size: 2,
          audit_path: ['d'.repeat(64)],
          claims_root: 'a'.repeat(64),
        },
      }),
    });
  });
  after(() => api.close());

  const run = async (...args: string[]) => {
    const io = captureIo();
    const code = await runCli(argv('--api', api.url, ...args), io);
    return { code, out: io.out(), err: io.err() };
  };

  it('stake deposit sends the actor and amount and shows the stake against each role minimum', async () => {
    const { code, out } = await run('stake', 'deposit', '100000', '--actor', 'act_exec-1');
    assert.equal(code, 0);
    const sent = api.requests.at(-1)!;
    assert.equal(sent.path, '/v1/stakes/deposit');
    assert.deepEqual(sent.body, { actor_id: 'act_exec-1', amount: '100000' });
    assert.match(out, /stake:\s+250,000/);
    assert.match(out, /executor\s+100,000\s+yes/);
    assert.match(out, /master\s+1,000,000\s+no/);
  });

  it('stake withdraw unbonds an amount, and --complete reports a refusal with its reason', async () => {
    const unbond = await run('stake', 'withdraw', '50000', '--actor', 'act_exec-1');
    assert.equal(unbond.code, 0);
    assert.equal(api.requests.at(-1)!.path, '/v1/stakes/unbond');
    assert.match(unbond.out, /50,000\s+2026-01-08T00:00:00.000Z/);
    const complete = await run('stake', 'withdraw', '--complete', '--actor', 'act_exec-1');
    assert.notEqual(complete.code, 0);
    assert.deepEqual(api.requests.at(-1)!.body, { actor_id: 'act_exec-1' });
    assert.match(complete.err, /stake_refused|released at/);
    const bad = await run('stake', 'deposit', '-5', '--actor', 'act_exec-1');
    assert.notEqual(bad.code, 0);
  });

  it('stake show reads one actor', async () => {
    const { code, out } = await run('stake', 'show', 'act_exec-1');
    assert.equal(code, 0);
    assert.match(out, /stake of act_exec-1/);
    assert.match(out, /spendable:\s+150,000/);
  });

  it('payout list sends the filters and lists intents and batches', async () => {
    const { code, out } = await run('payout', 'list', '--epoch', '1', '--actor', 'act_bob');
    assert.equal(code, 0);
    assert.equal(api.requests.at(-1)!.query.toString(), 'epochId=1&actor=act_bob');
    assert.match(out, /payouts: 2 intents, total 3,000 base units/);
    assert.match(out, /1\s+act_bob\s+2,000\s+pbt_1-0\s+pending/);
    assert.match(out, new RegExp(`pbt_1-0\\s+2\\s+3,000\\s+pending\\s+${'a'.repeat(64)}`));
  });

  it('payout show prints a batch and, with --claim, a claim and its audit path', async () => {
    const shown = await run('payout', 'show', 'pbt_1-0');
    assert.equal(shown.code, 0);
    assert.match(shown.out, /payout batch pbt_1-0/);
    assert.match(shown.out, /act_alice\s+1,000/);
    const claim = await run('payout', 'show', 'pbt_1-0', '--claim', 'act_bob');
    assert.equal(claim.code, 0);
    assert.match(claim.out, /leaf:\s+1 of 2/);
    assert.match(claim.out, new RegExp(`audit path:\\s+${'d'.repeat(64)}`));
    const bad = await run('payout', 'show', 'batch-1');
    assert.notEqual(bad.code, 0);
  });
});
