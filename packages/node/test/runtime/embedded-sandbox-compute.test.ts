/**
 * End to end on the embedded network: a submitted program approved by its Vault runs in the
 * sandbox, is verified by re-execution and settles; an unapproved program and an approved one that
 * tries to release raw records end as rejected tasks with their reasons.
 */

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { createHttpServer } from '../../src/application/http-server.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { EMBEDDED_TOPOLOGY } from '../../src/roles/network-topology.ts';
import { codeHashOf, sandboxComputeRequest } from '../support/compute-requests.ts';
import { grantConsents } from '../support/consent.ts';
import { openTestPglite } from '../support/pglite.ts';
import { waitFor } from '../support/wait.ts';

const hashOf = codeHashOf;
const leaky = 'export default function run(rows) { return { first: rows[0] } }';
const unapproved = 'export default function run(rows) { return { n: rows.length } }';

describe('embedded network: Compute with a submitted program', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  let eligibility: string;
  let http: FastifyInstance;
  let base: string;
  before(async () => {
    eligibility = await readFile(
      new URL('../../../../examples/programs/coffee-eligibility.js', import.meta.url),
      'utf8',
    );
    store = await openTestPglite();
    const topology = {
      ...EMBEDDED_TOPOLOGY,
      enterprises: EMBEDDED_TOPOLOGY.enterprises.map((e) =>
        e.node_id === 'node_lioncity'
          ? { ...e, approved_programs: { 'vlt_lioncity-app': [hashOf(eligibility), hashOf(leaky)] } }
          : e,
      ),
    };
    net = await openEmbeddedNetwork({ store, keyring: new MemoryKeyring(), pollIntervalMs: 20, topology });
    // Identity is not what this test is about (admission-denials and http-lifecycle sign every request).
    http = await createHttpServer(net.coordinator.service, { authentication: false });
    base = await http.listen({ port: 0, host: '127.0.0.1' });
    const now = Date.now();
    await net.coordinator.service.ingest('vlt_lioncity-app', {
      records: Array.from({ length: 30 }, (_, i) => ({
        subject: `act_sub-${i % 6}`,
        fields: {
          merchant: `Shop ${i % 3}`,
          category: i % 5 === 0 ? 'grocery' : 'coffee',
          city: 'Singapore',
          total_amount: `${(i % 7) + 3}.50`,
          purchased_at: new Date(now - (i + 1) * 3_600_000).toISOString(),
        },
      })),
    });
    await grantConsents(
      net.coordinator.service,
      'vlt_lioncity-app',
      Array.from({ length: 6 }, (_, i) => `act_sub-${i}`),
    );
  });
  after(async () => {
    await http?.close();
    await net?.close();
    await store?.close();
  });

  const request = (source: string) =>
    sandboxComputeRequest(source, {
      vault_id: 'vlt_lioncity-app',
      attributes: ['category', 'total_amount', 'purchased_at'],
    });
  const submit = (source: string) => net.coordinator.service.submitTask(request(source));

  it('runs an approved program submitted over HTTP, verifies it by re-execution and releases only its aggregate', async () => {
    const res = await fetch(`${base}/v1/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request(eligibility)),
    });
    assert.equal(res.status, 201);
    const task = (await res.json()) as { task_id: string };
    const state = () => net.coordinator.follower.state.tasks[task.task_id]?.state;
    await waitFor(() => state() === 'awaiting_settlement' || state() === 'rejected', 'executed', 60_000);
    assert.equal(state(), 'awaiting_settlement', net.coordinator.follower.state.tasks[task.task_id]?.reason_code);
    const answer = await fetch(`${base}/v1/tasks/${task.task_id}/result`);
    assert.equal(answer.status, 200);
    const result = (await answer.json()) as { verified: boolean; output: Record<string, unknown> };
    assert.equal(result.verified, true);
    const output = result.output;
    assert.equal(output.active_subjects, 6);
    assert.equal(typeof output.eligible_subjects, 'number');
    assert.equal(typeof output.bonus_band, 'number');
    assert.ok(!JSON.stringify(output).includes('act_sub-'));
    const t = net.coordinator.follower.state.tasks[task.task_id]!;
    assert.ok((t.usage?.fuel ?? 0) >= 1, 'the receipt reports the fuel the program used');
    assert.equal(t.usage?.records_scanned, 30);
  });

  it('rejects a program the Vault did not approve, and one whose output carries a raw record', async () => {
    for (const [source, reason] of [
      [unapproved, 'program_not_approved'],
      [leaky, 'output_contains_subject'],
    ] as const) {
      const { task } = await submit(source);
      await waitFor(
        () => net.coordinator.follower.state.tasks[task.task_id]?.state === 'rejected',
        `rejected ${reason}`,
        60_000,
      );
      const t = net.coordinator.follower.state.tasks[task.task_id]!;
      assert.equal(t.reason_code, reason);
      assert.deepEqual(t.reward_ids, []);
      await assert.rejects(net.coordinator.service.taskResult(task.task_id));
    }
  });

  it('refuses over HTTP a program source beyond 64 KiB, naming the field, with nothing admitted', async () => {
    const before = Object.keys(net.coordinator.follower.state.tasks).length;
    const res = await fetch(`${base}/v1/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request(`// ${'x'.repeat(70_000)}\nexport default function run() { return 1 }`)),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { code: string; details?: { field?: string } };
    assert.equal(body.code, 'invalid_request');
    assert.match(body.details?.field ?? '', /spec\/program\/source/);
    assert.equal(Object.keys(net.coordinator.follower.state.tasks).length, before);
  });
});
