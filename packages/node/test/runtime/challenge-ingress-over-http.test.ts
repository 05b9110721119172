/**
 * Challenge ingress over the real HTTP edge: bad input (unknown task, closed window, unstaked
 * challenger, malformed or misfitting evidence, evidence no checker can judge yet) is a 4xx with a
 * reason and changes nothing; an equivocating master (two signed roots for one epoch) is proven
 * through `POST /v1/challenges`, adjudicated and slashed, and the challenge is listed and shown.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  digestBytes,
  type ParameterSet,
  type ProtocolState,
  parseAmount,
  receiptHash,
  type SettlementStatement,
  stateHash,
  statementHash,
} from '@symphony/protocol';
import type { FastifyInstance } from 'fastify';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { createHttpServer } from '../../src/application/http-server.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { keyNameOf } from '../../src/roles/enterprise.ts';
import { EMBEDDED_TOPOLOGY } from '../../src/roles/network-topology.ts';
import { grantConsents } from '../support/consent.ts';
import { openTestPglite } from '../support/pglite.ts';
import { type ActorKey, actorKey, signedInject } from '../support/signed-requests.ts';
import { delay, waitFor } from '../support/wait.ts';

const VAULT = 'vlt_lioncity-app';
const brand = actorKey('act_brand');
const watcher = actorKey('act_watcher');
const poor = actorKey('act_poor');
const records = Array.from({ length: 12 }, (_, i) => ({
  subject: `act_sub-${i % 6}`,
  fields: {
    merchant: `Shop ${i % 3}`,
    category: 'coffee',
    city: 'Singapore',
    total_amount: `${(i % 5) + 2}.25`,
    purchased_at: '2026-11-20T08:00:00Z',
  },
}));

function contentHash(state: ProtocolState): string {
  return stateHash({ ...state, head: null, last_time_ms: 0, ignored: { count: 0 } });
}

describe('challenge ingress over HTTP', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  let app: FastifyInstance;
  const keyring = new MemoryKeyring();
  const state = () => net.coordinator.follower.state;
  let finalizedTask = '';
  let candidateTask = '';
  let candidateEpoch = 0;

  async function runTask(i: number): Promise<string> {
    const res = await signedInject(app, brand, {
      method: 'POST',
      url: '/v1/tasks',
      payload: {
        class: 'compute',
        submitter: brand.keyid,
        consent_scope: 'analytics',
        targets: { vault_ids: [VAULT] },
        semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['total_amount'] },
        budget: { max_fee: '100000' },
        spec: { kind: 'compute', program: { type: 'builtin', operator: 'count' }, filter: [] },
      },
      headers: { 'idempotency-key': `ingress-${i}` },
    });
    assert.equal(res.statusCode, 201, res.body);
    const id = res.json().task_id as string;
    await waitFor(() => state().tasks[id]?.state === 'awaiting_settlement', `task ${id} verified`, 30_000);
    return id;
  }

  before(async () => {
    store = await openTestPglite();
    const parameters: ParameterSet = { ...EMBEDDED_TOPOLOGY.parameters, challenge_window_ms: 500 };
    const user = (k: ActorKey, roles: ('task_submitter' | 'verifier')[], balance: string) => ({
      actor_id: k.keyid,
      roles,
      public_key: k.publicKeyHex,
      balance,
      grants: 'all' as const,
    });
    net = await openEmbeddedNetwork({
      store,
      keyring,
      pollIntervalMs: 20,
      topology: { ...EMBEDDED_TOPOLOGY, parameters },
      actors: [
        user(brand, ['task_submitter'], '100000000'),
        user(watcher, ['verifier'], '100000'),
        user(poor, ['verifier'], '100000'),
      ],
    });
    app = await createHttpServer(net.coordinator.service);
    const w = net.coordinator.writer;
    assert.equal(
      (await w.append({ type: 'account_funded', actor_id: watcher.keyid, account: 'stake', amount: '1000' })).kind,
      'applied',
    );
    await net.coordinator.service.ingest(VAULT, { records });
    await grantConsents(
      net.coordinator.service,
      VAULT,
      records.map((r) => r.subject),
    );
    // Epoch 1 settles with a short window; policy 2 (from epoch 2) keeps candidates open for a minute.
    finalizedTask = await runTask(0);
    const v2: ParameterSet = { ...parameters, policy_version: 2, effective_from_epoch: 2, challenge_window_ms: 60_000 };
    assert.equal((await w.append({ type: 'policy_published', parameters: v2 })).kind, 'applied');
    await net.coordinator.service.closeEpoch();
    await waitFor(() => state().settlements[1]?.state === 'finalized', 'epoch 1 finalized', 30_000);
    await delay(600); // past epoch 1's challenge window
    candidateTask = await runTask(1);
    candidateEpoch = state().current_epoch;
    await net.coordinator.service.closeEpoch();
    await waitFor(() => state().settlements[candidateEpoch]?.state === 'candidate_ready', 'candidate ready');
  });

  after(async () => {
    await app?.close();
    await net?.close();
    await store?.close();
  });

  const replay = (task_id: string) => ({
    kind: 'replay_output',
    task_id,
    attempt: 1,
    output_hash: 'c'.repeat(64),
    transcript_hash: 'd'.repeat(64),
  });

  async function refused(key: ActorKey, body: unknown, status: number, code: string, reason?: string, field?: string) {
    const before = contentHash(state());
    const listed = (await signedInject(app, key, { url: '/v1/challenges' })).json().challenges.length;
    const res = await signedInject(app, key, { method: 'POST', url: '/v1/challenges', payload: body });
    assert.equal(res.statusCode, status, res.body);
    const answer = res.json();
    assert.equal(answer.code, code, res.body);
    if (reason) assert.equal(answer.details?.reason, reason, res.body);
    if (field) assert.equal(answer.details?.field, field, res.body);
    assert.ok(answer.message.length > 0);
    assert.equal(contentHash(state()), before, 'a refused challenge changed the state');
    assert.equal((await signedInject(app, key, { url: '/v1/challenges' })).json().challenges.length, listed);
  }

  it('refuses an unknown task, a closed window, an unstaked challenger, malformed and misfitting evidence', async () => {
    const onTask = (task_id: string, evidence: unknown = replay(task_id)) => ({
      target: { kind: 'task', task_id },
      bond: '500',
      evidence,
    });
    await refused(watcher, onTask('tsk_nope'), 422, 'challenge_refused', 'unknown_task');
    await refused(watcher, onTask(finalizedTask), 422, 'challenge_refused', 'challenge_window_closed');
    await refused(poor, onTask(candidateTask), 422, 'challenge_refused', 'challenger_not_staked');
    await refused(watcher, { ...onTask(candidateTask), bond: '1' }, 422, 'challenge_refused', 'bond_too_small');
    await refused(
      watcher,
      onTask(candidateTask, { kind: 'replay_output', task_id: candidateTask }),
      400,
      'invalid_request',
    );
    await refused(watcher, onTask(candidateTask, { kind: 'forged_everything' }), 400, 'invalid_request');
    await refused(
      watcher,
      { target: { kind: 'settlement', epoch_id: candidateEpoch }, bond: '500', evidence: replay(candidateTask) },
      422,
      'invalid_evidence',
      undefined,
      '/evidence/kind',
    );
    await refused(
      watcher,
      onTask(candidateTask, replay('tsk_other')),
      422,
      'invalid_evidence',
      undefined,
      '/evidence/task_id',
    );
    await refused(
      watcher,
      onTask(candidateTask, {
        kind: 'group_under_k_min',
        task_id: candidateTask,
        attempt: 1,
        output_hash: 'e'.repeat(64),
        group_key: '["coffee"]',
        claimed_subjects: 2,
      }),
      422,
      'invalid_evidence',
      'evidence_not_checkable',
    );
    await refused(watcher, { ...onTask(candidateTask), challenger: 'act_brand' }, 403, 'forbidden');
  });

  it('proves and slashes an equivocating master through POST /v1/challenges', async () => {
    const good = state().settlements[candidateEpoch]!.candidate!.statement;
    const other: SettlementStatement = { ...good, settlement_root: 'f'.repeat(64) };
    const master = 'node_master-2';
    const operator = state().masters[master]!.operator;
    const sign = async (st: SettlementStatement) => ({
      statement: st,
      signature: await keyring.sign(keyNameOf(master), digestBytes(statementHash(st))),
    });
    const stakeBefore = parseAmount(state().accounts[operator]!.stake);
    const res = await signedInject(app, watcher, {
      method: 'POST',
      url: '/v1/challenges',
      payload: {
        target: { kind: 'settlement', epoch_id: candidateEpoch },
        bond: '500',
        evidence: {
          kind: 'master_equivocation',
          epoch_id: candidateEpoch,
          master_id: master,
          signed: [await sign(good), await sign(other)],
        },
      },
    });
    assert.equal(res.statusCode, 201, res.body);
    const id = res.json().challenge.challenge_id as string;
    assert.equal(res.json().evidence.length, 1);
    await waitFor(() => state().challenges[id]?.state === 'penalty_recorded', 'equivocation penalized', 30_000);
    assert.equal(state().challenges[id]!.accused, master);
    const slashed = stakeBefore - parseAmount(state().accounts[operator]!.stake);
    assert.equal(slashed, (stakeBefore * BigInt(state().parameter_history[1]!.slash_bps)) / 10_000n);
    const shown = await signedInject(app, watcher, { url: `/v1/challenges/${id}` });
    assert.equal(shown.statusCode, 200, shown.body);
    assert.equal(shown.json().adjudication.reason_code, 'master_equivocation');
    assert.ok(shown.json().challenge.stake_movements.some((m: { kind: string }) => m.kind === 'challenger_reward'));
    const list = await signedInject(app, watcher, { url: `/v1/challenges?epoch_id=${candidateEpoch}` });
    assert.ok(list.json().challenges.some((c: { challenge_id: string }) => c.challenge_id === id));
    const bundle = await signedInject(app, watcher, { url: `/v1/challenges/${id}/replay` });
    assert.equal(bundle.statusCode, 200);
    const missing = await signedInject(app, watcher, { url: '/v1/challenges/chl_missing' });
    assert.equal(missing.statusCode, 404);
    // Settlement was withdrawn by the challenge and rebuilt as a new attempt.
    assert.ok(state().settlements[candidateEpoch]!.attempt >= 2);
  });

  it('reopens a challenge closed without penalty with new evidence, and the new evidence convicts', async () => {
    const post = (key: ActorKey, url: string, payload: unknown) =>
      signedInject(app, key, { method: 'POST', url, payload });
    const first = await post(watcher, '/v1/challenges', {
      target: { kind: 'task', task_id: candidateTask },
      bond: '500',
      evidence: replay(candidateTask),
    });
    assert.equal(first.statusCode, 201, first.body);
    const id = first.json().challenge.challenge_id as string;
    await waitFor(() => state().challenges[id]?.state === 'closed_without_penalty', 'bogus replay closed', 30_000);
    assert.equal(state().tasks[candidateTask]!.state, 'awaiting_settlement');

    const seq = net.coordinator.follower.taskEntries
      .get(candidateTask)!
      .find((e) => e.type === 'execution_receipt_recorded' && e.outcome === 'applied')!.seq;
    const entry = await net.coordinator.follower.entryAt(seq);
    assert.equal(entry?.event.type, 'execution_receipt_recorded');
    const recorded = entry!.event.type === 'execution_receipt_recorded' ? entry!.event.receipt : undefined;
    const { signature: _s, ...unsigned } = { ...recorded!, output_hash: 'e'.repeat(64) };
    const node = recorded!.executor_node;
    const conflicting = {
      ...unsigned,
      signature: await keyring.sign(keyNameOf(node), digestBytes(receiptHash(unsigned))),
    };
    const evidence = { kind: 'conflicting_receipt', task_id: candidateTask, receipt: conflicting };
    const stranger = await post(poor, `/v1/challenges/${id}/evidence`, { evidence });
    assert.equal(stranger.statusCode, 403, stranger.body);
    const stale = await post(watcher, `/v1/challenges/${id}/evidence`, { evidence: replay(candidateTask) });
    assert.equal(stale.statusCode, 422, stale.body);
    assert.equal(stale.json().details.reason, 'evidence_not_new');
    const operator = state().enterprise_nodes[node]!.operator;
    const stakeBefore = parseAmount(state().accounts[operator]!.stake);
    const reopened = await post(watcher, `/v1/challenges/${id}/evidence`, { evidence });
    assert.equal(reopened.statusCode, 200, reopened.body);
    assert.equal(reopened.json().evidence.length, 2);
    await waitFor(() => state().challenges[id]?.state === 'penalty_recorded', 'reopened challenge penalized', 30_000);
    assert.deepEqual(
      state().challenges[id]!.history.map((h) => h.state),
      [
        'opened',
        'reviewing',
        'not_confirmed',
        'closed_without_penalty',
        'reopened',
        'reviewing',
        'confirmed',
        'penalty_recorded',
      ],
    );
    assert.equal(state().tasks[candidateTask]!.state, 'rejected');
    assert.ok(parseAmount(state().accounts[operator]!.stake) < stakeBefore);
    const shown = (await signedInject(app, watcher, { url: `/v1/challenges/${id}` })).json();
    assert.equal(shown.adjudication.reason_code, 'executor_signed_conflicting_receipts');
  });
});
