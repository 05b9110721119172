/**
 * The end-to-end HTTP suite, one body for every deployment: records in, a task admitted (with an
 * idempotency key), every lifecycle state in order, the released result, an epoch closed and
 * finalized by 2 of 3 masters, rewards out; bad input refused with a 4xx naming the field and no
 * trace in the protocol log. `startNetwork` decides what runs behind the URL: the embedded network
 * in this process (`http-lifecycle.test.ts`) or a cluster of processes
 * (`cluster-http-lifecycle.serial.test.ts`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { digestBytes, payoutExecutionHash, verifyPayoutClaim, verifySettlementProof } from '@symphony/protocol';
import { consentGrants } from './consent.ts';
import { type ActorKey, actorKey, signedHeaders } from './signed-requests.ts';
import { delay } from './wait.ts';

/** A running network behind an HTTP API, as the suite sees it. */
export type HttpNetwork = {
  /** Base URL of the coordinating master's API. */
  base: string;
  /** The coordinating master's folded log head. */
  headSeq(): Promise<number | undefined>;
  /** The network's clock stands still (emission by log time is then zero). */
  frozenClock?: boolean;
  close(): Promise<void>;
};

/** The actor the suite submits as (registered at genesis with every grant). */
export const SUITE_ACTOR = actorKey('act_brand-kopi');
/** The treasury, which marks payout batches executed. */
const treasury = actorKey('act_treasury');

/** The actor registration a network under the suite needs. */
export const suiteActors = () => [
  {
    actor_id: SUITE_ACTOR.keyid,
    roles: ['data_producer', 'governance', 'task_submitter'] as ('data_producer' | 'governance' | 'task_submitter')[],
    public_key: SUITE_ACTOR.publicKeyHex,
    balance: '100000000',
    grants: 'all' as const,
  },
  { actor_id: treasury.keyid, roles: ['treasury' as const], public_key: treasury.publicKeyHex },
];

/** What the suite saw finalized, for comparisons between deployments. */
export type SuiteOutcome = { settlement: Record<string, any>; rewards: Record<string, any>[] };

const SUBJECTS = 12;
const records = Array.from({ length: 60 }, (_, i) => ({
  subject: `act_sub-${i % SUBJECTS}`,
  fields: {
    merchant: ['Kopi Corner', 'Bean There', 'Daily Grind'][i % 3]!,
    category: i % 4 === 0 ? 'grocery' : 'coffee',
    city: 'Singapore',
    total_amount: `${4 + (i % 5)}.${(i * 7) % 10}0`,
    purchased_at: `2026-11-${String(10 + (i % 15)).padStart(2, '0')}T09:30:00Z`,
  },
}));

const kopi = SUITE_ACTOR;

const task = {
  class: 'compute',
  submitter: 'act_brand-kopi',
  consent_scope: 'analytics',
  targets: { vault_ids: ['vlt_lioncity-app'] },
  semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['category', 'total_amount'] },
  budget: { max_fee: '50000' },
  spec: {
    kind: 'compute',
    program: { type: 'builtin', operator: 'histogram', attribute: 'total_amount', bin_edges: ['0', '5', '7.5', '10'] },
    filter: [{ attribute: 'category', op: 'eq', value: 'coffee' }],
  },
};

export function httpLifecycleSuite(
  title: string,
  startNetwork: () => Promise<HttpNetwork>,
  onOutcome?: (outcome: SuiteOutcome) => void,
): void {
  describe(title, () => {
    let net: HttpNetwork;
    let base: string;
    const call = async (
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
      as: ActorKey = kopi,
    ) => {
      const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const signed = signedHeaders(as, method, path, text);
      const res = await fetch(`${base}${path}`, {
        method,
        headers:
          text === undefined
            ? { ...headers, ...signed }
            : { 'content-type': 'application/json', ...headers, ...signed },
        ...(text === undefined ? {} : { body: text }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };
    const until = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> => {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await delay(50);
      }
    };

    before(async () => {
      net = await startNetwork();
      base = net.base;
    });
    after(async () => {
      await net?.close();
    });

    it('admits, executes, verifies, settles and rewards, through every state in order', async () => {
      const ingested = await call('POST', '/v1/vaults/vlt_lioncity-app/records', { records });
      assert.equal(ingested.status, 201);
      assert.equal(ingested.body.accepted, records.length);
      const consented = await call('POST', '/v1/consents', {
        grants: consentGrants(
          'vlt_lioncity-app',
          records.map((r) => r.subject),
        ),
      });
      assert.equal(consented.status, 201);

      const submitted = await call('POST', '/v1/tasks', task, { 'idempotency-key': 'kopi-histogram-1' });
      assert.equal(submitted.status, 201);
      const id = submitted.body.task_id as string;
      assert.match(id, /^tsk_[0-9a-f]{32}$/);

      const replay = await call('POST', '/v1/tasks', task, { 'idempotency-key': 'kopi-histogram-1' });
      assert.equal(replay.status, 200);
      assert.equal(replay.body.task_id, id);
      const conflict = await call(
        'POST',
        '/v1/tasks',
        { ...task, budget: { max_fee: '1' } },
        { 'idempotency-key': 'kopi-histogram-1' },
      );
      assert.equal(conflict.status, 409);
      assert.equal(conflict.body.code, 'idempotency_conflict');

      await until('awaiting_settlement', async () => {
        const t = await call('GET', `/v1/tasks/${id}`);
        return t.body.state === 'awaiting_settlement' ? t : undefined;
      });
      const result = await call('GET', `/v1/tasks/${id}/result`);
      assert.equal(result.status, 200);
      assert.equal(result.body.verified, true);
      const coffee = records.filter((r) => r.fields.category === 'coffee');
      assert.equal(result.body.output.records, coffee.length);
      assert.equal(
        result.body.output.counts.reduce((a: number, b: number) => a + b, 0) + result.body.output.outside,
        coffee.length,
      );

      const closed = await call('POST', '/v1/epochs/current/close');
      assert.equal(closed.status, 200);
      assert.equal(closed.body.closed_epoch, 1);
      const settlement = await until('finalized settlement', async () => {
        const s = await call('GET', '/v1/epochs/1/settlement');
        return s.body.state === 'finalized' ? s.body : undefined;
      });
      assert.match(settlement.certificate.statement.settlement_root, /^[0-9a-f]{64}$/);
      assert.ok(settlement.certificate.signatures.length >= 2);
      assert.deepEqual(
        settlement.entries.map((e: { task_id: string }) => e.task_id),
        [id],
      );
      assert.deepEqual(settlement.quorum_certificate, settlement.certificate);

      const proof = await call('GET', `/v1/epochs/1/settlement/proofs/${id}`);
      assert.equal(proof.status, 200);
      assert.equal(proof.body.entry_id, id);
      assert.equal(proof.body.settlement_root, settlement.certificate.statement.settlement_root);
      const network = await call('GET', '/v1/network');
      assert.deepEqual(verifySettlementProof(proof.body, network.body.masters), { ok: true });
      const forged = { ...proof.body, entry: { ...proof.body.entry, fee: '1' } };
      assert.equal(verifySettlementProof(forged, network.body.masters).ok, false);
      const missing = await call('GET', '/v1/epochs/1/settlement/proofs/tsk_not-settled');
      assert.equal(missing.status, 404);
      assert.equal(missing.body.code, 'not_found');

      const events = await until('completed', async () => {
        const e = await call('GET', `/v1/tasks/${id}/events`);
        return e.body.events.some((x: { state?: string }) => x.state === 'completed') ? e.body.events : undefined;
      });
      assert.deepEqual(
        events.filter((e: { state?: string }) => e.state).map((e: { state: string }) => e.state),
        ['accepted', 'resolving', 'dispatched', 'verifying', 'awaiting_settlement', 'completed'],
      );
      const seqs = events.map((e: { seq: number }) => e.seq);
      assert.deepEqual(
        seqs,
        [...seqs].sort((a: number, b: number) => a - b),
      );

      const rewards = await call('GET', '/v1/rewards?epochId=1');
      assert.equal(rewards.status, 200);
      assert.ok(rewards.body.rewards.length > 0);
      // The default parameter set emits (bootstrap schedule by log time): fee shares sum to the fee,
      // emission shares are the rest of the total.
      const sumOf = (emission: boolean) =>
        rewards.body.rewards
          .filter((r: { source?: string }) => (r.source === 'emission') === emission)
          .reduce((sum: bigint, r: { amount?: string }) => sum + BigInt(r.amount ?? '0'), 0n);
      assert.equal(String(sumOf(false)), settlement.entries[0].fee);
      if (!net.frozenClock) assert.ok(sumOf(true) > 0n, 'the epoch pays emission');
      assert.equal(rewards.body.total, String(sumOf(false) + sumOf(true)));
      // Emission amounts depend on how long the epoch was open: deployments compare the fee ledger.
      onOutcome?.({
        settlement,
        rewards: rewards.body.rewards.filter((r: { source?: string }) => r.source !== 'emission'),
      });
      const producer = await call('GET', '/v1/rewards?epochId=1&actor=act_sub-1');
      assert.ok(producer.body.rewards.every((r: { account: string }) => r.account === 'act_sub-1'));

      const listed = await call('GET', '/v1/tasks?state=completed&class=compute');
      assert.deepEqual(
        listed.body.tasks.map((t: { task_id: string }) => t.task_id),
        [id],
      );
    });

    it('pays the finalized epoch in batches with claim proofs; the treasury marks them executed', async () => {
      const payouts = await call('GET', '/v1/payouts?epochId=1');
      assert.equal(payouts.status, 200);
      const rewards = await call('GET', '/v1/rewards?epochId=1');
      assert.equal(payouts.body.total, rewards.body.total);
      assert.equal(payouts.body.batches.length, 1);
      const batch = payouts.body.batches[0];
      const claim = await call('GET', `/v1/payouts/batches/${batch.batch_id}/claims/act_sub-1`);
      assert.equal(claim.status, 200);
      assert.deepEqual(verifyPayoutClaim(claim.body, batch.claims_root), { ok: true });
      assert.equal(verifyPayoutClaim({ ...claim.body, claimant: 'act_sub-2' }, batch.claims_root).ok, false);
      const mine = await call('GET', '/v1/payouts?epochId=1&actor=act_sub-1');
      assert.equal(mine.body.intents.length, 1);
      assert.equal(mine.body.intents[0].amount, claim.body.amount);

      const unsigned = {
        batch_id: batch.batch_id,
        epoch_id: 1,
        claims_root: batch.claims_root,
        total: batch.total,
        reference: 'wire-2026-11-28',
        treasury: 'act_treasury',
      };
      const signature = Buffer.from(treasury.sign(digestBytes(payoutExecutionHash(unsigned)))).toString('hex');
      const path = `/v1/payouts/batches/${batch.batch_id}/executed`;
      const byBrand = await call('POST', path, { ...unsigned, signature });
      assert.equal(byBrand.status, 403);
      const wrongTotal = await call('POST', path, { ...unsigned, total: '1', signature }, {}, treasury);
      assert.equal(wrongTotal.status, 409);
      assert.equal(wrongTotal.body.code, 'payout_refused');
      assert.equal(wrongTotal.body.details.reason, 'batch_mismatch');
      const executed = await call('POST', path, { ...unsigned, signature }, {}, treasury);
      assert.equal(executed.status, 200);
      assert.equal(executed.body.batch.state, 'executed');
      const after = await call('GET', '/v1/rewards?epochId=1');
      assert.deepEqual(after.body, rewards.body);
    });

    it('stakes: deposit from the spendable balance, unbond, and withdraw only after the period', async () => {
      const before = await call('GET', '/v1/stakes/act_brand-kopi');
      assert.equal(before.status, 200);
      const deposit = await call('POST', '/v1/stakes/deposit', { actor_id: 'act_brand-kopi', amount: '2000000' });
      assert.equal(deposit.status, 200);
      assert.equal(deposit.body.stake, (BigInt(before.body.stake) + 2_000_000n).toString());
      assert.ok(
        deposit.body.roles.some((r: { role: string; compliant: boolean }) => r.role === 'executor' && r.compliant),
      );
      const notMine = await call('POST', '/v1/stakes/deposit', { actor_id: 'act_treasury', amount: '1' });
      assert.equal(notMine.status, 403);
      const tooMuch = await call('POST', '/v1/stakes/unbond', { actor_id: 'act_brand-kopi', amount: '999999999999' });
      assert.equal(tooMuch.status, 409);
      assert.equal(tooMuch.body.details.reason, 'insufficient_stake');
      const unbond = await call('POST', '/v1/stakes/unbond', { actor_id: 'act_brand-kopi', amount: '500000' });
      assert.equal(unbond.status, 200);
      assert.equal(unbond.body.unbonding.length, 1);
      assert.ok(unbond.body.unbonding[0].release_at_ms >= Date.now() + unbond.body.unbonding_period_ms - 60_000);
      const early = await call('POST', '/v1/stakes/withdraw', { actor_id: 'act_brand-kopi' });
      assert.equal(early.status, 409);
      assert.equal(early.body.details.reason, 'nothing_to_withdraw');
    });

    it('refuses bad input with a 4xx naming the field, and appends nothing', async () => {
      const head = await net.headSeq();
      const unknown = await call('POST', '/v1/tasks', { ...task, surprise: true });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.code, 'unknown_field');
      assert.match(JSON.stringify(unknown.body.details), /surprise/);
      const wrongType = await call('POST', '/v1/tasks', { ...task, budget: { max_fee: 50000 } });
      assert.equal(wrongType.status, 400);
      assert.match(JSON.stringify(wrongType.body.details), /max_fee/);
      const badVault = await call('POST', '/v1/tasks', { ...task, targets: { vault_ids: ['vlt_nowhere'] } });
      assert.equal(badVault.status, 404);
      assert.equal(badVault.body.code, 'unknown_vault');
      const floatAmount = await call('POST', '/v1/vaults/vlt_lioncity-app/records', {
        records: [{ subject: 'act_x', fields: { total_amount: 12.5 } }],
      });
      assert.equal(floatAmount.status, 400);
      assert.match(JSON.stringify(floatAmount.body.details), /total_amount/);
      const badRecord = await call('POST', '/v1/vaults/vlt_lioncity-app/records', {
        records: [{ subject: 'act_x', fields: { total_amount: 'twelve' } }],
      });
      assert.equal(badRecord.status, 422);
      assert.equal(badRecord.body.code, 'invalid_records');
      assert.match(badRecord.body.message, /total_amount/);
      assert.doesNotMatch(badRecord.body.message, /twelve/);
      const huge = await call('POST', '/v1/vaults/vlt_lioncity-app/records', 'x'.repeat(6 * 1024 * 1024));
      assert.equal(huge.status, 413);
      assert.equal(await net.headSeq(), head);
    });
  });
}
