/**
 * Oracle test of the `query` class on a real dataset (vega-datasets flights, 2,000 records, one
 * subject per route) spread over 5 Vaults on 2 enterprise nodes: for many seeded random queries
 * every group's true value equals plain SQL over the union in PostgreSQL, exactly the groups under
 * k_min distinct subjects are suppressed, and noisy values fall within the stated 99% bound at the
 * rate it promises. Part one drives the Vault partial and the aggregator's release directly (80
 * queries); part two runs queries end to end on the embedded network (sealed partials, budget
 * charge in the log, verification by re-execution).
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { SubmitTaskRequest } from '@symphony/api';
import {
  combinePartials,
  defaultQueryPolicy,
  type PartialAggregate,
  planQuery,
  type QueryPlan,
  type QueryResult,
  releaseQuery,
  specAttributes,
} from '@symphony/protocol';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { computeVaultPartial } from '../../src/execution/query/vault-partial.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { EMBEDDED_TOPOLOGY, type Topology } from '../../src/roles/network-topology.ts';
import { grantConsents } from '../support/consent.ts';
import { openTestPglite } from '../support/pglite.ts';
import { prng } from '../support/prng.ts';
import { waitFor } from '../support/wait.ts';
import { type Flight, fieldsOf, loadFlights, TRAVEL_FLIGHT_V1 } from './flights-fixture.ts';
import { calibration, type NoiseSample } from './noise-calibration.ts';
import { type OracleDb, openOracleDb } from './oracle-db.ts';
import { type OracleGroup, type OracleQuantile, oracle, oracleQuantiles } from './oracle-sql.ts';
import { randomQuery } from './random-queries.ts';

const url = process.env.DATABASE_URL;
const K_MIN = EMBEDDED_TOPOLOGY.parameters.k_min;
const VAULTS = ['vlt_air-a1', 'vlt_air-a2', 'vlt_air-a3', 'vlt_air-b1', 'vlt_air-b2'];
const vaultOf = (i: number) => VAULTS[i % VAULTS.length]!;
/** One route in ten never consented: its records must count nowhere. */
const consented = (f: Flight) => createHmac('sha256', 'c').update(f.subject).digest()[0]! % 10 !== 0;

type Tally = { checked: number; outside: number };

/**
 * Checks released quantiles against PostgreSQL: each lies within the stated bound (bucket width w
 * around the values at ranks k ± rank_bound99). Returns how many checks were narrower than the
 * whole clamp range (so the bound said something).
 */
function checkQuantiles(result: QueryResult, quantiles: OracleQuantile[], group_by: string[], tally: Tally): number {
  let informative = 0;
  for (const row of result.rows) {
    const key = JSON.stringify(group_by.map((a) => row.group[a]));
    const o = quantiles.find((x) => x.key === key)!;
    const v = row.values[3]!;
    assert.equal(v.fn, 'quantile');
    const value = Math.round(Number(v.value) * 100);
    const w = Math.round(Number(v.bound99) * 100);
    tally.checked++;
    if (value < o.at_low - w || value > o.at_high + w) tally.outside++;
    if (v.rank_bound99! < o.n) informative++;
  }
  return informative;
}

/**
 * Checks a release against the oracle: suppression exact; each released count and sum is kept as a
 * noise sample (its error against SQL, its component's scale, the bound stated beside it).
 */
function checkReleased(
  result: QueryResult,
  truth: OracleGroup[],
  plan: QueryPlan,
  group_by: string[],
  samples: NoiseSample[],
) {
  const expected = truth.filter((g) => g.subjects >= K_MIN);
  const keys = result.rows.map((r) => JSON.stringify(group_by.map((a) => r.group[a])));
  assert.deepEqual(
    keys,
    expected.map((g) => g.key),
    'released groups are exactly those with at least k_min subjects',
  );
  const scaleOf = (aggregate: number) => plan.components[plan.aggregates[aggregate]!.components[0]!]!.scale!;
  for (const [i, row] of result.rows.entries()) {
    const t = expected[i]!;
    const [count, sum] = row.values;
    samples.push({
      error: (count!.value as number) - t.subjects,
      scale: scaleOf(0),
      stated99: count!.bound99 as number,
    });
    samples.push({
      error: Math.round(Number(sum!.value) * 100) - t.delay_sum,
      scale: scaleOf(1),
      stated99: Math.round(Number(sum!.bound99) * 100),
    });
  }
}

/** The same plan with every noise scale multiplied by `factor` (a mechanism that misstates its noise). */
const rescaled = (plan: QueryPlan, factor: { num: number; den: number }): QueryPlan => ({
  ...plan,
  components: plan.components.map((c) =>
    c.scale ? { ...c, scale: { t: c.scale.t * factor.num, s: c.scale.s * factor.den } } : c,
  ),
});

describe('query oracle on vega-datasets flights over 5 Vaults', { skip: !url }, () => {
  const flights = loadFlights();
  let db: OracleDb;
  before(async () => {
    db = await openOracleDb(url!, flights, consented);
  });
  after(async () => {
    await db?.close();
  });

  it('matches PostgreSQL on 80 random queries through the Vault partials and the release', async (t) => {
    const policy = defaultQueryPolicy(K_MIN);
    const key = 'oracle-pseudonym-key';
    const pseudonymOf = (s: string) => createHmac('sha256', key).update(s).digest('hex').slice(0, 32);
    const rand = prng(7);
    const samples: NoiseSample[] = [];
    const runs: { plan: QueryPlan; partials: PartialAggregate[]; truth: OracleGroup[]; group_by: string[] }[] = [];
    let suppressedSomewhere = 0;
    let quantilesChecked = 0;
    let informative = 0;
    const quantileTally: Tally = { checked: 0, outside: 0 };
    for (let q = 0; q < 80; q++) {
      const gen = randomQuery(rand, flights);
      const planned = planQuery(gen.spec, policy);
      assert.ok(planned.ok);
      const plan = planned.plan;
      const partials = VAULTS.map((vault_id) =>
        computeVaultPartial(
          vault_id,
          flights
            .filter((f, i) => vaultOf(i) === vault_id && consented(f))
            .map((f) => ({ subject: f.subject, fields: fieldsOf(f) })),
          gen.spec.filter,
          plan,
          0,
          pseudonymOf,
        ),
      );
      const released = releaseQuery(plan, combinePartials(partials, plan.summed.length), `seed-${q}`);
      const truth = await oracle(db.client, db.table, gen.oracle, policy.max_groups_per_subject);
      // Every group's true value, before suppression and noise, equals SQL.
      assert.deepEqual(
        released.truth.map((g) => ({
          key: JSON.stringify(g.key),
          subjects: g.subjects,
          delay_sum: g.components[1],
          distance_sum: g.components[2],
        })),
        truth,
        `query ${q}: ${JSON.stringify(gen.spec)}`,
      );
      checkReleased(released.result, truth, plan, gen.spec.group_by, samples);
      runs.push({ plan, partials, truth, group_by: gen.spec.group_by });
      suppressedSomewhere += truth.filter((g) => g.subjects < K_MIN).length;
      // Quantiles. Without noise (same bounds and k_min, ε 0) the released bucket holds
      // PostgreSQL's percentile_disc exactly; with noise (the policy's ε, and a 40x larger one
      // so the rank bound is narrower than the groups) each lies within its stated bound.
      const histogram = plan.components[plan.aggregates[3]!.components[0]!]!;
      const layout = histogram.layout!;
      const bucket = (x: number) => Math.floor((x - layout.lower) / layout.width);
      const exactPlan = planQuery(gen.spec, { ...policy, epsilon_micro: 0 });
      assert.ok(exactPlan.ok);
      const exact = releaseQuery(exactPlan.plan, combinePartials(partials, plan.summed.length), `seed-${q}`);
      const pd = await oracleQuantiles(db.client, db.table, gen.oracle, policy.max_groups_per_subject, {
        q: gen.oracle.delay_q,
        rank_bound: 0,
      });
      for (const row of exact.result.rows) {
        const key = JSON.stringify(gen.spec.group_by.map((a) => row.group[a]));
        const o = pd.find((x) => x.key === key)!;
        assert.equal(row.values[3]!.rank_bound99, 0);
        assert.equal(bucket(Math.round(Number(row.values[3]!.value) * 100)), bucket(o.exact), `query ${q} ${key}`);
        assert.equal(o.at_low, o.exact);
        quantilesChecked++;
      }
      for (const p of [policy, { ...policy, epsilon_micro: 40 * policy.epsilon_micro }]) {
        const noisyPlan = planQuery(gen.spec, p);
        assert.ok(noisyPlan.ok);
        const noisy = releaseQuery(noisyPlan.plan, combinePartials(partials, plan.summed.length), `seed-${q}`);
        const R = noisyPlan.plan.components[noisyPlan.plan.aggregates[3]!.components[0]!]!.rank_bound99!;
        const bounds = await oracleQuantiles(db.client, db.table, gen.oracle, p.max_groups_per_subject, {
          q: gen.oracle.delay_q,
          rank_bound: R,
        });
        informative += checkQuantiles(noisy.result, bounds, gen.spec.group_by, quantileTally);
      }
    }
    assert.ok(quantilesChecked > 80, `${quantilesChecked} exact quantiles checked`);
    assert.ok(informative > 20, `${informative} quantile bounds narrower than their group`);
    const { checked, outside } = quantileTally;
    assert.ok(outside / checked <= 0.025, `${outside} of ${checked} quantiles outside their stated 99% bound`);
    assert.ok(suppressedSomewhere > 0, 'the queries exercise suppression');
    // Each released count and sum against SQL: the stated bound is the mechanism's 99% bound, and
    // the errors past it and past its 50% bound are what the discrete Laplace law allows.
    assert.ok(samples.length > 500, `${samples.length} noisy values checked`);
    const c = calibration(samples);
    t.diagnostic(c.message);
    assert.ok(c.ok, c.message);
    // The same check rejects a mechanism whose noise is twice or half what it states (it can fail).
    for (const factor of [
      { num: 2, den: 1 },
      { num: 1, den: 2 },
    ]) {
      const wrong: NoiseSample[] = [];
      for (const [q, r] of runs.entries()) {
        const bad = releaseQuery(
          rescaled(r.plan, factor),
          combinePartials(r.partials, r.plan.summed.length),
          `seed-${q}`,
        );
        checkReleased(bad.result, r.truth, r.plan, r.group_by, wrong);
      }
      const w = calibration(wrong);
      t.diagnostic(`noise x${factor.num}/${factor.den}: ${w.message}`);
      assert.ok(!w.ok, `noise scaled by ${factor.num}/${factor.den} passed: ${w.message}`);
    }
  });

  describe('end to end on the embedded network', () => {
    let store: PgliteStore;
    let net: EmbeddedNetwork;
    before(async () => {
      store = await openTestPglite();
      const topology: Topology = {
        ...EMBEDDED_TOPOLOGY,
        enterprises: [
          { node_id: 'node_air-a', operator: 'act_air-a', vault_ids: VAULTS.slice(0, 3) },
          { node_id: 'node_air-b', operator: 'act_air-b', vault_ids: VAULTS.slice(3) },
        ],
        semantic_domains: [TRAVEL_FLIGHT_V1],
      };
      net = await openEmbeddedNetwork({ store, keyring: new MemoryKeyring(), pollIntervalMs: 20, topology });
      for (const vault_id of VAULTS) {
        const mine = flights.filter((_, i) => vaultOf(i) === vault_id);
        await net.coordinator.service.ingest(vault_id, {
          records: mine.map((f) => ({ subject: f.subject, fields: fieldsOf(f) })),
        });
        await grantConsents(net.coordinator.service, vault_id, [
          ...new Set(mine.filter(consented).map((f) => f.subject)),
        ]);
      }
    });
    after(async () => {
      await net?.close();
      await store?.close();
    });

    it('releases verified results that match PostgreSQL, charging each subject read once', async (t) => {
      const rand = prng(99);
      const tally: Tally = { checked: 0, outside: 0 };
      const samples: NoiseSample[] = [];
      for (let q = 0; q < 5; q++) {
        const gen = randomQuery(rand, flights);
        const request = {
          class: 'query',
          submitter: `act_analyst-${q}`,
          consent_scope: 'analytics',
          targets: { vault_ids: VAULTS },
          semantic: { domain: 'travel.flight', semantic_version: '1.0.0', attributes: specAttributes(gen.spec) },
          budget: { max_fee: '1000000' },
          spec: gen.spec,
        } as SubmitTaskRequest;
        const { task } = await net.coordinator.service.submitTask(request);
        const state = () => net.coordinator.follower.state.tasks[task.task_id];
        await waitFor(
          () => state()?.state === 'awaiting_settlement' || state()?.state === 'rejected',
          `query ${q} done`,
          120_000,
        );
        assert.equal(state()?.state, 'awaiting_settlement', state()?.reason_code);
        const result = await net.coordinator.service.taskResult(task.task_id);
        assert.equal(result.verified, true);
        const truth = await oracle(db.client, db.table, gen.oracle, defaultQueryPolicy(K_MIN).max_groups_per_subject);
        const planned = planQuery(gen.spec, defaultQueryPolicy(K_MIN));
        assert.ok(planned.ok);
        checkReleased(result.output as QueryResult, truth, planned.plan, gen.spec.group_by, samples);
        // The quantile released through the network, against percentile_disc within its stated bound.
        const R = planned.plan.components[planned.plan.aggregates[3]!.components[0]!]!.rank_bound99!;
        const bounds = await oracleQuantiles(db.client, db.table, gen.oracle, planned.plan.max_groups_per_subject, {
          q: gen.oracle.delay_q,
          rank_bound: R,
        });
        checkQuantiles(result.output as QueryResult, bounds, gen.spec.group_by, tally);
        // The reducer charged every subject read, once, however many Vaults hold its records.
        const all = await oracle(db.client, db.table, { ...gen.oracle, group_by: [] }, 1);
        assert.equal(state()?.release?.charged, all[0]?.subjects ?? 0);
        assert.ok(!JSON.stringify(result.output).includes('act_route-'), 'no subject in the output');
      }
      assert.ok(samples.length >= 20, `${samples.length} noisy values checked`);
      const c = calibration(samples);
      t.diagnostic(c.message);
      assert.ok(c.ok, c.message);
      assert.ok(
        tally.outside <= Math.max(1, tally.checked / 20),
        `${tally.outside} of ${tally.checked} quantiles outside`,
      );
      // The budget ledger holds one entry per charged pseudonym (never a subject identity).
      const ledger = net.coordinator.follower.state.privacy?.ledger.analytics ?? {};
      const entries = Object.values(ledger).flatMap((w) => Object.keys(w));
      assert.ok(entries.length > 0 && entries.every((p) => /^[0-9a-f]{32}$/.test(p)));
    });
  });
});
