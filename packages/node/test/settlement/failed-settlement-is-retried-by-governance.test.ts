/**
 * Operator recovery of a `failed` settlement over HTTP: masters 2 and 3 sign a statement other than
 * the candidate (their own signing is held back), so the quorum is out of reach and the epoch is
 * `failed`; `POST /v1/epochs/{epochId}/settlement/retry` (governance only) appends
 * `settlement_retried`, the candidate is rebuilt as attempt 2 and the masters finalize it. A retry
 * of a settlement that is not failed is a 409 `settlement_refused` and appends nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { digestBytes, type SettlementStatement, statementHash } from '@symphony/protocol';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { createHttpServer } from '../../src/application/http-server.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { HeldKeyring } from '../support/held-keyring.ts';
import { openTestPglite } from '../support/pglite.ts';
import { type ActorKey, actorKey, signedHeaders } from '../support/signed-requests.ts';
import { delay } from '../support/wait.ts';

const governance = actorKey('act_settle-governor');
const bystander = actorKey('act_settle-bystander');

describe('a failed settlement retried by governance', { timeout: 120_000 }, () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  let http: Awaited<ReturnType<typeof createHttpServer>>;
  let base: string;
  const keyring = new HeldKeyring(['node-master-2', 'node-master-3']);

  const call = async (method: string, path: string, as: ActorKey = governance) => {
    const res = await fetch(`${base}${path}`, { method, headers: signedHeaders(as, method, path) });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const state = () => net.coordinator.follower.state;
  const until = async <T>(what: string, probe: () => T | undefined): Promise<T> => {
    for (let i = 0; i < 600; i++) {
      const value = probe();
      if (value !== undefined) return value;
      await delay(50);
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  before(async () => {
    store = await openTestPglite();
    net = await openEmbeddedNetwork({
      store,
      keyring,
      pollIntervalMs: 20,
      actors: [
        { actor_id: governance.keyid, roles: ['governance'], public_key: governance.publicKeyHex },
        { actor_id: bystander.keyid, roles: ['task_submitter'], public_key: bystander.publicKeyHex },
      ],
    });
    http = await createHttpServer(net.coordinator.service);
    base = await http.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    keyring.release();
    await http?.close();
    await net?.close();
    await store?.close();
  });

  it('refuses a retry of an open epoch with 409 and appends nothing', async () => {
    const head = state().head!.seq;
    const refused = await call('POST', `/v1/epochs/${state().current_epoch}/settlement/retry`);
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.code, 'settlement_refused');
    assert.equal(refused.body.details.reason, 'not_failed');
    assert.equal(state().head!.seq, head);
    const unknown = await call('POST', '/v1/epochs/99/settlement/retry');
    assert.equal(unknown.status, 404);
  });

  it('fails when masters disagree, and a governance retry finalizes the next attempt', async () => {
    const closed = await call('POST', '/v1/epochs/current/close');
    assert.equal(closed.status, 200, JSON.stringify(closed.body));
    const epoch: number = closed.body.closed_epoch;
    const candidate = await until('the candidate', () => state().settlements[epoch]?.candidate?.statement);
    const other: SettlementStatement = { ...candidate, settlement_root: 'f'.repeat(64) };
    for (const master of ['node_master-2', 'node_master-3']) {
      const signature = await keyring.inner.sign(master.replaceAll('_', '-'), digestBytes(statementHash(other)));
      const r = await net.coordinator.writer.append({
        type: 'settlement_signed',
        master_id: master,
        statement: other,
        signature,
      });
      assert.equal(r.kind, 'applied');
    }
    const failed = await call('GET', `/v1/epochs/${epoch}/settlement`);
    assert.equal(failed.body.state, 'failed');
    assert.equal(state().settlements[epoch]!.failure_reason, 'no_quorum');

    // Only governance may order the recovery; a refusal changes nothing.
    const head = state().head!.seq;
    const forbidden = await call('POST', `/v1/epochs/${epoch}/settlement/retry`, bystander);
    assert.equal(forbidden.status, 403);
    assert.equal(state().head!.seq, head);

    keyring.release();
    const retried = await call('POST', `/v1/epochs/${epoch}/settlement/retry`);
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
    assert.equal(retried.body.attempt, 2);
    assert.ok(['verifying_inputs', 'candidate_ready', 'finalizing', 'finalized'].includes(retried.body.state));
    assert.ok(state().settlements[epoch]!.history.some((h) => h.state === 'verifying_inputs'));

    await until('finalization', () => (state().settlements[epoch]!.state === 'finalized' ? true : undefined));
    const final = await call('GET', `/v1/epochs/${epoch}/settlement`);
    assert.equal(final.body.state, 'finalized');
    assert.equal(final.body.attempt, 2);

    const headAfter = state().head!.seq;
    const again = await call('POST', `/v1/epochs/${epoch}/settlement/retry`);
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'settlement_refused');
    assert.equal(state().head!.seq, headAfter);
    assert.equal(state().settlements[epoch]!.state, 'finalized');
  });
});
