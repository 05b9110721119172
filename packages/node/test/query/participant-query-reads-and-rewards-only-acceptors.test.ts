/**
 * A participant query (the opt-in bounty): it waits for acceptances, each made through the
 * subject's Vault over the API; it then reads only accepted subjects, charges only their budget,
 * credits them as data producers, and the settlement pays them. An acceptance after the query runs
 * is refused with a typed code.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SubmitTaskRequest } from '@symphony/api';
import type { FastifyInstance } from 'fastify';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { createHttpServer } from '../../src/application/http-server.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { grantConsents } from '../support/consent.ts';
import { openTestPglite } from '../support/pglite.ts';
import { waitFor } from '../support/wait.ts';

const SUBJECTS = Array.from({ length: 12 }, (_, i) => `act_member-${i}`);
const VAULTS = ['vlt_lioncity-app', 'vlt_straits-wallet'];
const vaultOf = (i: number) => VAULTS[i % 2]!;

describe('participant query', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  let http: FastifyInstance;
  let base: string;
  before(async () => {
    store = await openTestPglite();
    net = await openEmbeddedNetwork({ store, keyring: new MemoryKeyring(), pollIntervalMs: 20 });
    http = await createHttpServer(net.coordinator.service, { authentication: false });
    base = await http.listen({ port: 0, host: '127.0.0.1' });
    for (const vault_id of VAULTS) {
      const mine = SUBJECTS.filter((_, i) => vaultOf(i) === vault_id);
      await net.coordinator.service.ingest(vault_id, {
        records: mine.map((subject) => ({
          subject,
          fields: { merchant: 'Gym', category: 'fitness', city: 'Singapore', total_amount: '120.00' },
        })),
      });
      await grantConsents(net.coordinator.service, vault_id, mine);
    }
  });
  after(async () => {
    await http?.close();
    await net?.close();
    await store?.close();
  });

  const accept = (task_id: string, i: number) =>
    fetch(`${base}/v1/tasks/${task_id}/participation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vault_id: vaultOf(i), subject: SUBJECTS[i] }),
    });

  it('reads, charges and rewards only the subjects who accepted through their Vault', async () => {
    const api = net.coordinator.service;
    const { task } = await api.submitTask({
      class: 'query',
      submitter: 'act_gym-brand',
      consent_scope: 'analytics',
      targets: { vault_ids: VAULTS },
      semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['category', 'total_amount'] },
      budget: { max_fee: '100000' },
      spec: {
        kind: 'query',
        filter: [{ attribute: 'total_amount', op: 'gte', value: '100' }],
        group_by: [],
        aggregates: [{ fn: 'count_distinct_subjects' }],
        participation: { required: true, max_participants: 7, open_ms: 120_000 },
      },
    } as SubmitTaskRequest);
    const t = () => net.coordinator.follower.state.tasks[task.task_id];
    await waitFor(() => t()?.state === 'resolving', 'waiting for participants', 20_000);
    const accepted = [0, 1, 2, 3, 5, 8, 11];
    for (const i of accepted) {
      const res = await accept(task.task_id, i);
      assert.equal(res.status, 201, await res.text());
    }
    await waitFor(() => ['awaiting_settlement', 'rejected'].includes(t()?.state ?? ''), 'query done', 60_000);
    assert.equal(t()?.state, 'awaiting_settlement', t()?.reason_code);
    assert.equal(t()?.release?.charged, accepted.length, 'only the accepted subjects were read and charged');
    const producers = (t()?.contributions ?? []).filter((c) => c.role === 'data_producer').map((c) => c.account);
    assert.deepEqual(producers, accepted.map((i) => SUBJECTS[i]!).sort());

    const late = await accept(task.task_id, 4);
    assert.equal(late.status, 409);
    const body = (await late.json()) as { code: string; details: { reason: string } };
    assert.deepEqual([body.code, body.details.reason], ['participation_refused', 'participation_closed']);

    await api.closeEpoch();
    await waitFor(() => net.coordinator.follower.state.settlements[1]?.state === 'finalized', 'settled', 30_000);
    const paid = new Set(
      api
        .rewards({ epochId: 1 })
        .rewards.filter((r) => r.role === 'data_producer')
        .map((r) => r.account),
    );
    assert.deepEqual([...paid].sort(), accepted.map((i) => SUBJECTS[i]!).sort());
  });
});
