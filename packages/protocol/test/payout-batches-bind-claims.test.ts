/**
 * Payout: a finalized epoch's intents are grouped in batches under a claims root; a claim proof
 * verifies only for its claimant, amount, epoch and batch; the treasury's signed execution marks the
 * batch executed and changes no reward record.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  batchClaims,
  buildPayoutBatches,
  canonicalString,
  digestBytes,
  type PayoutExecution,
  type PayoutIntent,
  payoutClaimProofOf,
  payoutExecutionHash,
  verifyPayoutClaim,
} from '../src/index.ts';
import { NetworkFixture, seededKey } from './support/network-fixture.ts';

const treasuryKey = seededKey('act_treasury');

function finalized(): NetworkFixture {
  const net = new NetworkFixture().genesis().enterpriseNode('node_ent-1', ['vlt_a']);
  for (const id of ['tsk_1', 'tsk_2', 'tsk_3']) net.completeTask(id, ['vlt_a']);
  net.closeEpoch();
  assert.equal(net.sign(1, 0).kind, 'applied');
  assert.equal(net.sign(1, 1).kind, 'applied');
  assert.equal(net.state.settlements[1]!.state, 'finalized');
  net.must({
    type: 'actor_registered',
    actor_id: 'act_treasury',
    roles: ['treasury'],
    public_key: treasuryKey.publicKeyHex,
  });
  return net;
}

function execution(
  batch: { batch_id: string; epoch_id: number; claims_root: string; total: string },
  key = treasuryKey,
) {
  const unsigned: Omit<PayoutExecution, 'signature'> = {
    batch_id: batch.batch_id,
    epoch_id: batch.epoch_id,
    claims_root: batch.claims_root,
    total: batch.total,
    reference: 'bank-transfer-0001',
    treasury: 'act_treasury',
  };
  return { ...unsigned, signature: key.sign(digestBytes(payoutExecutionHash(unsigned))) };
}

describe('payout batches bind claimant, amount, epoch and batch', () => {
  it('finality groups the epoch intents in a batch whose total is the sum of the finalized rewards', () => {
    const net = finalized();
    const batches = Object.values(net.state.payout_batches!);
    assert.equal(batches.length, 1);
    const batch = batches[0]!;
    assert.equal(batch.batch_id, 'pbt_1-0');
    const intents = Object.values(net.state.payouts);
    assert.ok(intents.every((i) => i.batch_id === 'pbt_1-0' && i.state === 'pending'));
    assert.equal(batch.claim_count, intents.length);
    const finalizedSum = Object.values(net.state.rewards)
      .filter((r) => r.state === 'finalized')
      .reduce((s, r) => s + BigInt(r.amount!), 0n);
    assert.equal(BigInt(batch.total), finalizedSum);
    const fees = net.state.settlements[1]!.entries.reduce((s, e) => s + BigInt(e.fee), 0n);
    assert.equal(finalizedSum, fees);
  });

  it('every claimant proves its claim; another amount, claimant, epoch or batch fails', () => {
    const net = finalized();
    const batch = net.state.payout_batches!['pbt_1-0']!;
    const claims = batchClaims(net.state, batch.batch_id);
    for (const c of claims) {
      const proof = payoutClaimProofOf(claims, c.claimant)!;
      assert.equal(proof.claims_root, batch.claims_root);
      assert.deepEqual(verifyPayoutClaim(proof, batch.claims_root), { ok: true });
    }
    const proof = payoutClaimProofOf(claims, 'act_alice')!;
    const reason = (p: unknown) => {
      const r = verifyPayoutClaim(p, batch.claims_root);
      return r.ok ? 'ok' : r.reason;
    };
    assert.equal(reason({ ...proof, amount: (BigInt(proof.amount) + 1n).toString() }), 'inclusion_failed');
    assert.equal(reason({ ...proof, claimant: 'act_bob' }), 'inclusion_failed');
    assert.equal(reason({ ...proof, epoch_id: 2 }), 'inclusion_failed');
    assert.equal(reason({ ...proof, batch_id: 'pbt_1-1' }), 'inclusion_failed');
    assert.equal(reason({ ...proof, claims_root: 'a'.repeat(64) }), 'wrong_root');
    assert.equal(reason({ ...proof, amount: '-1' }), 'malformed_claim');
    assert.equal(reason(undefined), 'malformed_claim');
  });

  it('intents are cut into batches by account order; zero amounts are not paid', () => {
    const intent = (account: string, amount: string): PayoutIntent => ({
      schema_version: 1,
      intent_id: `pay_${account.slice(4).padStart(32, '0')}`,
      epoch_id: 7,
      account,
      amount,
      reward_ids_hash: '0'.repeat(64),
      reward_count: 1,
      state: 'pending',
    });
    const built = buildPayoutBatches(
      7,
      [intent('act_c', '3'), intent('act_a', '1'), intent('act_b', '0'), intent('act_d', '4')],
      2,
    );
    assert.deepEqual(
      built.map((b) => [b.batch.batch_id, b.batch.total, b.claims.map((c) => c.claimant)]),
      [
        ['pbt_7-0', '4', ['act_a', 'act_c']],
        ['pbt_7-1', '4', ['act_d']],
      ],
    );
  });

  it('the treasury marks a batch executed with a signed execution; rewards are unchanged', () => {
    const net = finalized();
    const batch = net.state.payout_batches!['pbt_1-0']!;
    const rewardsBefore = canonicalString(net.state.rewards);
    const wrongKey = execution(batch, seededKey('act_mallory'));
    assert.equal(refusal(net.append({ type: 'payout_batch_executed', execution: wrongKey })), 'bad_signature');
    const wrongTotal = execution({ ...batch, total: '1' });
    assert.equal(refusal(net.append({ type: 'payout_batch_executed', execution: wrongTotal })), 'batch_mismatch');
    const unknown = execution({ ...batch, batch_id: 'pbt_1-5' });
    assert.equal(refusal(net.append({ type: 'payout_batch_executed', execution: unknown })), 'unknown_batch');
    net.must({ type: 'payout_batch_executed', execution: execution(batch) });
    assert.equal(batch.state, 'executed');
    assert.equal(batch.executed!.reference, 'bank-transfer-0001');
    assert.ok(Object.values(net.state.payouts).every((i) => i.state === 'executed'));
    assert.equal(canonicalString(net.state.rewards), rewardsBefore);
    assert.equal(
      refusal(net.append({ type: 'payout_batch_executed', execution: execution(batch) })),
      'batch_already_executed',
    );
  });
});

function refusal(outcome: { kind: string; refusal?: { code: string } }): string {
  return outcome.kind === 'applied' ? 'applied' : (outcome.refusal?.code ?? outcome.kind);
}
