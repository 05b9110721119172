/**
 * The task verifier on the masters rejects a receipt whose attestation does not hold: simulated
 * evidence under the production policy, evidence from an enclave whose measurement the executor
 * never registered, and evidence with a flipped byte. The replay itself matches in every case, so
 * only the attestation check can cause the rejection.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { domainHash, type EnclaveRegistration } from '@symphony/protocol';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { SimulatedTeeProvider } from '../../src/adapters/simulated-tee.ts';
import { EXECUTOR_MEASUREMENT } from '../../src/execution/execute-task.ts';
import type { TeeProvider } from '../../src/ports/tee-provider.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { PRODUCTION_ATTESTATION_POLICY } from '../../src/verification/attestation-verifier.ts';
import { grantConsents } from '../support/consent.ts';
import { openTestPglite } from '../support/pglite.ts';
import { waitFor } from '../support/wait.ts';

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

async function runTask(net: EmbeddedNetwork, key: string) {
  const api = net.coordinator.service;
  await api.ingest('vlt_lioncity-app', { records });
  await grantConsents(
    api,
    'vlt_lioncity-app',
    records.map((r) => r.subject),
  );
  const { task } = await api.submitTask(
    {
      class: 'compute',
      submitter: 'act_brand',
      consent_scope: 'analytics',
      targets: { vault_ids: ['vlt_lioncity-app'] },
      semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['total_amount'] },
      budget: { max_fee: '100000' },
      spec: { kind: 'compute', program: { type: 'builtin', operator: 'count' }, filter: [] },
    },
    key,
  );
  const state = () => net.coordinator.follower.state.tasks[task.task_id];
  await waitFor(() => ['rejected', 'awaiting_settlement'].includes(state()?.state ?? ''), 'task verified', 30_000);
  return state()!;
}

/** An enclave that misbehaves on demand: attests other code than it registered, or flips a byte of its evidence. */
class MisbehavingEnclave implements TeeProvider {
  readonly kind = 'simulated' as const;
  mode: 'honest' | 'other_code' | 'flip_byte' = 'honest';
  constructor(
    readonly honest: SimulatedTeeProvider,
    readonly otherCode: SimulatedTeeProvider,
  ) {}
  identity(): Promise<EnclaveRegistration> {
    return this.honest.identity();
  }
  async attest(reportData: string) {
    if (this.mode === 'other_code') return this.otherCode.attest(reportData);
    const evidence = await this.honest.attest(reportData);
    if (this.mode === 'flip_byte') evidence.body = (evidence.body[0] === '0' ? '1' : '0') + evidence.body.slice(1);
    return evidence;
  }
  sign(bytes: Uint8Array) {
    return this.mode === 'other_code' ? this.otherCode.sign(bytes) : this.honest.sign(bytes);
  }
}

describe('task verifier: attestation failures reject the receipt', () => {
  const opened: { net: EmbeddedNetwork; store: PgliteStore }[] = [];
  after(async () => {
    for (const o of opened) {
      await o.net.close();
      await o.store.close();
    }
  });

  it('rejects simulated attestation under the production policy', async () => {
    const store = await openTestPglite();
    const net = await openEmbeddedNetwork({
      store,
      keyring: new MemoryKeyring(),
      pollIntervalMs: 20,
      attestationPolicy: PRODUCTION_ATTESTATION_POLICY,
    });
    opened.push({ net, store });
    const t = await runTask(net, 'production-1');
    assert.equal(t.state, 'rejected');
    assert.equal(t.reason_code, 'attestation_simulated_not_allowed');
  });

  it('accepts an honest enclave, then rejects an unregistered measurement and a flipped evidence byte', async () => {
    const store = await openTestPglite();
    const keyring = new MemoryKeyring();
    const enclaves = new Map<string, MisbehavingEnclave>();
    const net = await openEmbeddedNetwork({
      store,
      keyring,
      pollIntervalMs: 20,
      teeFor: async (nodeId) => {
        const open = (measurement: string, keyName: string) =>
          SimulatedTeeProvider.open({ keyring, keyName, measurement });
        const other = domainHash('scp/v1/enclave-measurement', { runtime: 'patched-executor', version: 1 });
        const tee = new MisbehavingEnclave(
          await open(EXECUTOR_MEASUREMENT, `${nodeId.slice(5)}.enclave`),
          await open(other, `${nodeId.slice(5)}.patched`),
        );
        enclaves.set(nodeId, tee);
        return tee;
      },
    });
    opened.push({ net, store });
    const registered = net.coordinator.follower.state.enterprise_nodes.node_lioncity?.enclaves;
    assert.deepEqual(registered, [await enclaves.get('node_lioncity')!.identity()]);
    const view = net.coordinator.service.network().enterprise_nodes.find((n) => n.node_id === 'node_lioncity');
    assert.deepEqual(view?.enclaves, [{ provider: 'simulated', measurement: EXECUTOR_MEASUREMENT, simulated: true }]);

    const honest = await runTask(net, 'honest-1');
    assert.equal(honest.state, 'awaiting_settlement');
    const result = await net.coordinator.service.taskResult(honest.task_id);
    assert.deepEqual(result.attestation, { provider: 'simulated', measurement: EXECUTOR_MEASUREMENT, simulated: true });

    enclaves.get('node_lioncity')!.mode = 'other_code';
    const unknown = await runTask(net, 'other-code-1');
    assert.equal(unknown.state, 'rejected');
    assert.equal(unknown.reason_code, 'attestation_measurement_unknown');

    enclaves.get('node_lioncity')!.mode = 'flip_byte';
    const flipped = await runTask(net, 'flip-byte-1');
    assert.equal(flipped.state, 'rejected');
    assert.equal(flipped.reason_code, 'attestation_evidence_signature_invalid');
  });
});
