/**
 * Payout batch reconciliation: batches rebuilt from the intents equal the log's; a recorded batch
 * the log does not hold is forged; an executed batch whose execution pays another total than its
 * intents owe is named; executed intents (state moved after finality) are not a difference.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildPayoutBatches,
  compareAccounting,
  type PayoutExecution,
  type PayoutIntent,
  reconcilePayoutBatches,
} from '../src/index.ts';

const intent = (n: number, amount: string): PayoutIntent => ({
  schema_version: 1,
  intent_id: `pay_${String(n).repeat(32).slice(0, 32)}`,
  epoch_id: 4,
  account: `act_payee-${n}`,
  amount,
  reward_ids_hash: 'a'.repeat(64),
  reward_count: 1,
  state: 'pending',
});

/** Three intents of epoch 4 (one of zero, not paid) and the one batch the log derives from them. */
function epochOfThree() {
  const intents = [intent(1, '1000'), intent(2, '2500'), intent(3, '0')];
  const logBatches = buildPayoutBatches(4, intents).map((b) => b.batch);
  for (const i of intents) if (i.amount !== '0') i.batch_id = logBatches[0]!.batch_id;
  return { intents, logBatches };
}

describe('payout batch reconciliation', () => {
  it('passes when the log batches are the ones the intents give, and names an executed total that differs', () => {
    const { intents, logBatches } = epochOfThree();
    const clean = reconcilePayoutBatches({ epoch_id: 4, payouts: intents, logBatches, executions: [] });
    assert.deepEqual(clean.findings, []);
    assert.deepEqual(clean.totals, { batches: 1, executed: 0, executed_total: '0' });

    const executedBatch = { ...logBatches[0]!, state: 'executed' as const };
    const execution: PayoutExecution = {
      batch_id: executedBatch.batch_id,
      epoch_id: 4,
      claims_root: executedBatch.claims_root,
      total: executedBatch.total,
      reference: 'tx-1',
      treasury: 'act_treasury',
      signature: 'b'.repeat(128),
    };
    const paid = reconcilePayoutBatches({
      epoch_id: 4,
      payouts: intents,
      logBatches: [executedBatch],
      executions: [execution],
    });
    assert.deepEqual(paid.findings, []);
    assert.deepEqual(paid.totals, { batches: 1, executed: 1, executed_total: '3500' });

    const overpaid = reconcilePayoutBatches({
      epoch_id: 4,
      payouts: intents,
      logBatches: [executedBatch],
      executions: [{ ...execution, total: '9999' }],
    });
    assert.deepEqual(
      overpaid.findings.map((f) => [f.code, f.subject]),
      [['payout_execution_mismatch', `batch ${executedBatch.batch_id}`]],
    );
    assert.match(overpaid.findings[0]!.message, /paid 9999 .* owe 3500/);
  });

  it('names a forged recorded batch, a changed claim amount and a missing batch', () => {
    const { intents, logBatches } = epochOfThree();
    const forged = { ...logBatches[0]!, batch_id: 'pbt_4-1', index: 1 };
    const r = reconcilePayoutBatches({
      epoch_id: 4,
      payouts: intents,
      logBatches,
      executions: [],
      recordedBatches: [logBatches[0]!, forged],
    });
    assert.deepEqual(
      r.findings.map((f) => [f.code, f.subject]),
      [['payout_batch_forged', 'batch pbt_4-1']],
    );

    const changed = intents.map((i) => (i.account === 'act_payee-2' ? { ...i, amount: '2501' } : i));
    const c = reconcilePayoutBatches({ epoch_id: 4, payouts: changed, logBatches, executions: [] });
    assert.deepEqual(
      c.findings.map((f) => f.code),
      ['payout_batch_mismatch'],
    );
    assert.match(c.findings[0]!.message, /total: "3501" vs "3500"; claims_root/);

    const none = reconcilePayoutBatches({ epoch_id: 4, payouts: intents, logBatches: [], executions: [] });
    assert.deepEqual(
      none.findings.map((f) => f.code),
      ['payout_batch_missing'],
    );
  });

  it('does not count an intent executed after finality as a changed record', () => {
    const { intents } = epochOfThree();
    const base = { epoch_id: 4, entries: [], rewards: [] };
    const executed = intents.map((i) => ({ ...i, state: 'executed' as const }));
    assert.deepEqual(compareAccounting({ ...base, payouts: intents }, { ...base, payouts: executed }), []);
    const moreAmount = executed.map((i, n) => (n === 0 ? { ...i, amount: '1001' } : i));
    assert.deepEqual(
      compareAccounting({ ...base, payouts: intents }, { ...base, payouts: moreAmount }).map((f) => f.code),
      ['payout_changed'],
    );
  });
});
