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
import { consentGrants } from './consent.ts';
import { actorKey, signedHeaders } from './signed-requests.ts';
import { delay } from './wait.ts';

/** A running network behind an HTTP API, as the suite sees it. */
export type HttpNetwork = {
  /** Base URL of the coordinating master's API. */
  base: string;
  /** The coordinating master's folded log head. */
  headSeq(): Promise<number | undefined>;
  close(): Promise<void>;
};

/** The actor the suite submits as (registered at genesis with every grant). */
export const SUITE_ACTOR = actorKey('act_brand-kopi');

/** The actor registration a network under the suite needs. */
export const suiteActors = () => [
  {
    actor_id: SUITE_ACTOR.keyid,
    roles: ['data_producer', 'governance', 'task_submitter'] as ('data_producer' | 'governance' | 'task_submitter')[],
    public_key: SUITE_ACTOR.publicKeyHex,
    balance: '100000000',
    grants: 'all' as const,
  },
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
    const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const signed = signedHeaders(kopi, method, path, text);
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
      assert.equal(rewards.body.total, settlement.entries[0].fee);
      onOutcome?.({ settlement, rewards: rewards.body.rewards });
      const producer = await call('GET', '/v1/rewards?epochId=1&actor=act_sub-1');
      assert.ok(producer.body.rewards.every((r: { account: string }) => r.account === 'act_sub-1'));

      const listed = await call('GET', '/v1/tasks?state=completed&class=compute');
      assert.deepEqual(
        listed.body.tasks.map((t: { task_id: string }) => t.task_id),
        [id],
      );
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
