/**
 * The DP noise of a Query release cannot be removed by anyone outside the enclaves. An attacker
 * holds everything public about a release: the envelope (in the log), the released result, and the
 * aggregation statement (its seed commitment, noise digest, released keys). It recomputes the noise
 * the way a verifier could before the fix, from the replay seed `hash(envelope_hash)` (and, for
 * good measure, from the published seed commitment), subtracts it from every released count and
 * compares with the true counts. Drawn from the public seed, every count would be recovered
 * exactly; drawn from the enclaves' secret seed, the recovery rate is what guessing "noise = 0"
 * gives for the discrete Laplace at the plan's scale, P(0) = tanh(1 / 2b). Inside an enclave (with
 * the enclave root key) the same recomputation gives the seed commitment, the digest and every
 * true count exactly: that is what the master's noise check relies on, and the honest release is
 * accepted by it. The verifier asks a node other than the aggregator when there is one; that
 * node's enclave answers a master (and nobody else) with an attested statement, only for a query
 * its log shows with that envelope.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SubmitTaskRequest } from '@symphony/api';
import {
  expectedNoiseDigest,
  expectedNoiseDraws,
  type NoiseDraw,
  noiseRecomputationHash,
  noiseSeedCommitment,
  planQuery,
  type QueryAggregation,
  type QueryPlan,
  queryPolicyOf,
  replaySeedOf,
} from '@symphony/protocol';
import { MemoryBroker } from '../../src/adapters/memory-bus.ts';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { TaskRecords } from '../../src/coordination/task-records.ts';
import { loadNoiseSeeder } from '../../src/execution/noise-seed.ts';
import type { NoiseRecomputationReply } from '../../src/execution/query/noise-recomputation.ts';
import type { EmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { keyNameOf } from '../../src/roles/enterprise.ts';
import { noiseRecomputers } from '../../src/verification/aggregation-verifiers.ts';
import { AttestationVerifier, attestationPolicyFor } from '../../src/verification/attestation-verifier.ts';
import { enterpriseSubjects } from '../../src/wire/enterprise-rpc.ts';
import { SignedBus } from '../../src/wire/signed-bus.ts';
import { openChallengeNetwork, SUBMITTER, WATCHER } from '../support/challenge-network.ts';
import { grantConsents } from '../support/consent.ts';
import { openTestPglite } from '../support/pglite.ts';
import { waitFor } from '../support/wait.ts';

const VAULTS = ['vlt_lioncity-app', 'vlt_straits-wallet'];
const CITIES = Array.from({ length: 48 }, (_, i) => `district-${String(i).padStart(2, '0')}`);
/** Subjects per district (>= k_min = 5), split over the two Vaults; one per district is in both. */
const PER_CITY = 7;

const spec = {
  kind: 'query' as const,
  filter: [{ attribute: 'category', op: 'eq' as const, value: 'coffee' }],
  group_by: ['city'],
  aggregates: [{ fn: 'count_distinct_subjects' as const }],
};

type Row = { group: { city: string }; values: { value: number }[] };

/** Released counts minus the noise an attacker computed for them: how many equal the true count. */
function recovered(rows: Row[], draws: NoiseDraw[]): number {
  const noise = new Map(draws.map((d) => [d.label, d.value]));
  let exact = 0;
  for (const r of rows) {
    const n = noise.get(`0\u0000${JSON.stringify([r.group.city])}`);
    assert.notEqual(n, undefined, `a draw for ${r.group.city}`);
    if (r.values[0]!.value - n! === PER_CITY) exact++;
  }
  return exact;
}

describe('query noise cannot be removed from public data', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  const keyring = new MemoryKeyring();
  const broker = new MemoryBroker();
  let attackedTask = '';
  const statements = new Map<string, QueryAggregation>();
  const state = () => net.coordinator.follower.state;

  before(async () => {
    store = await openTestPglite();
    net = await openChallengeNetwork(store, {
      keyring,
      broker,
      parameters: {},
      stakes: { [WATCHER]: '1000', act_lioncity: '10000000', act_straits: '10000000' },
      // An honest enclave: the hook only keeps a copy of the statement it publishes.
      aggregationFaultFor: () => (task_id, run) => {
        statements.set(task_id, run.aggregation);
        return undefined;
      },
    });
    const byVault = new Map<string, { subject: string; city: string }[]>(VAULTS.map((v) => [v, []]));
    for (const city of CITIES)
      for (let i = 0; i < PER_CITY; i++) {
        const subject = `act_${city}-shopper-${i}`;
        byVault.get(VAULTS[i % 2]!)!.push({ subject, city });
        if (i === 0) byVault.get(VAULTS[1]!)!.push({ subject, city });
      }
    for (const [vault_id, rows] of byVault) {
      await net.coordinator.service.ingest(vault_id, {
        records: rows.map(({ subject, city }) => ({
          subject,
          fields: { merchant: 'Kopi', category: 'coffee', city, total_amount: '4.50' },
        })),
      });
      await grantConsents(
        net.coordinator.service,
        vault_id,
        rows.map((r) => r.subject),
      );
    }
  });

  after(async () => {
    await net?.close();
    await store?.close();
  });

  it('the verifier asks an enclave of a node other than the aggregator, the aggregator last', () => {
    const s = state();
    const nodes = Object.keys(s.enterprise_nodes).sort();
    assert.ok(nodes.length >= 2);
    for (const executor of nodes) {
      const order = noiseRecomputers(s, 'tsk_any', executor);
      assert.deepEqual([...order].sort(), nodes);
      assert.notEqual(order[0], executor);
      assert.equal(order.at(-1), executor);
    }
  });

  it('public data does not recover the true counts; the enclave key does, and the release is accepted', async (ctx) => {
    const { task } = await net.coordinator.service.submitTask(
      {
        class: 'query',
        submitter: SUBMITTER,
        consent_scope: 'analytics',
        targets: { vault_ids: VAULTS },
        semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['category', 'city'] },
        budget: { max_fee: '100000' },
        spec,
      } as SubmitTaskRequest,
      'noise-attack-1',
    );
    const id = task.task_id;
    await waitFor(
      () => ['awaiting_settlement', 'rejected'].includes(state().tasks[id]?.state ?? ''),
      'query verified',
      60_000,
    );
    const t = state().tasks[id]!;
    assert.equal(t.state, 'awaiting_settlement', t.reason_code);

    // Everything public about the release.
    const envelope = (await new TaskRecords(net.coordinator.follower).envelope(id))!;
    const rows = ((await net.coordinator.service.taskResult(id)).output as { rows: Row[] }).rows;
    const a = statements.get(id)!;
    assert.equal(rows.length, CITIES.length, 'every district is released');
    assert.deepEqual(
      a.released_keys,
      rows.map((r) => JSON.stringify([r.group.city])),
    );
    const planned = planQuery(
      envelope.spec as Parameters<typeof planQuery>[0],
      queryPolicyOf(state().parameter_history[0]!),
    );
    assert.ok(planned.ok);
    const plan: QueryPlan = planned.plan;
    const scale = plan.components[0]!.scale!;
    const b = scale.t / scale.s;
    const p0 = Math.tanh(1 / (2 * b));

    // The attacker: every seed it can form from public data.
    const replaySeed = replaySeedOf(t.envelope_hash);
    const n = rows.length;
    const ceiling = p0 + 4 * Math.sqrt((p0 * (1 - p0)) / n);
    for (const guess of [replaySeed, a.noise_seed_commitment]) {
      const rate = recovered(rows, expectedNoiseDraws(plan, a.released_keys, guess, false)) / n;
      ctx.diagnostic(
        `recovered from a public seed: ${(rate * 100).toFixed(1)}% (chance ${(p0 * 100).toFixed(1)}%, b = ${b})`,
      );
      assert.ok(
        rate <= ceiling,
        `public seed recovers ${(rate * 100).toFixed(1)}% of true counts; chance is ${(p0 * 100).toFixed(1)}% (b = ${b})`,
      );
      assert.notEqual(expectedNoiseDigest(plan, a.released_keys, guess, false), a.noise_digest);
    }
    assert.notEqual(a.noise_seed_commitment, noiseSeedCommitment(replaySeed), 'the noise seed is not the replay seed');
    // Guessing noise 0 for every count: the chance level the attacker is held to.
    assert.ok(rows.filter((r) => r.values[0]!.value === PER_CITY).length / n <= ceiling);

    // Inside an enclave: the secret seed gives the published commitment, digest, and the true counts.
    const noiseSeed = (await loadNoiseSeeder(keyring))('query-release', replaySeed, t.attempt);
    assert.equal(noiseSeedCommitment(noiseSeed), a.noise_seed_commitment);
    assert.equal(expectedNoiseDigest(plan, a.released_keys, noiseSeed, false), a.noise_digest);
    assert.equal(recovered(rows, expectedNoiseDraws(plan, a.released_keys, noiseSeed, false)), n);
    attackedTask = id;
  });

  it("another node's enclave answers a master with an attested recomputation, and refuses other callers and tasks", async () => {
    assert.ok(attackedTask, 'the release above ran');
    const t = state().tasks[attackedTask]!;
    const envelope = (await new TaskRecords(net.coordinator.follower).envelope(attackedTask))!;
    const a = statements.get(attackedTask)!;
    const raw = broker.connect();
    const sealer = (nodeId: string) =>
      new SignedBus(raw, { nodeId, keyring, keyName: keyNameOf(nodeId), lookup: () => undefined });
    try {
      const other = noiseRecomputers(state(), attackedTask, t.assignments![0]!.node_id)[0]!;
      assert.notEqual(other, t.assignments![0]!.node_id);
      const subject = enterpriseSubjects(other).queryNoise;
      const request = {
        envelope,
        envelope_hash: t.envelope_hash,
        attempt: t.attempt,
        released_keys: a.released_keys,
        audience_drawn: false,
      };
      const reply = (await sealer(net.coordinator.nodeId).request(subject, request, {
        timeoutMs: 10_000,
      })) as NoiseRecomputationReply;
      assert.equal(reply.statement.noise_seed_commitment, a.noise_seed_commitment);
      assert.equal(reply.statement.noise_digest, a.noise_digest);
      const verifier = new AttestationVerifier({
        policy: attestationPolicyFor(false),
        clock: { now: () => Date.now() },
      });
      const outcome = verifier.verify(reply.evidence, {
        report_data: noiseRecomputationHash(reply.statement),
        enclaves: state().enterprise_nodes[other]!.enclaves ?? [],
      });
      assert.equal(outcome.kind, 'accepted', JSON.stringify(outcome));
      // The statement is bound: another digest does not verify under the same evidence.
      const forged = { ...reply.statement, noise_digest: '0'.repeat(64) };
      assert.equal(
        verifier.verify(reply.evidence, {
          report_data: noiseRecomputationHash(forged),
          enclaves: state().enterprise_nodes[other]!.enclaves ?? [],
        }).kind,
        'rejected',
      );
      const refused = async (from: string, payload: unknown, code: string) =>
        assert.rejects(sealer(from).request(subject, payload, { timeoutMs: 10_000 }), (e: { code?: string }) => {
          assert.equal(e.code, code);
          return true;
        });
      await refused(t.assignments![0]!.node_id, request, 'node_role_refused');
      await refused(net.coordinator.nodeId, { ...request, envelope_hash: 'f'.repeat(64) }, 'not_a_query_task');
      await refused(
        net.coordinator.nodeId,
        { ...request, envelope: { ...envelope, task_id: 'tsk_unknown' } },
        'not_a_query_task',
      );
    } finally {
      await raw.close();
    }
  });
});
