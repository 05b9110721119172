/**
 * The seeded input that two deployments must settle to byte-identical roots and reward ledgers
 * (`cluster-settles-like-embedded`, `embedded-pipeline-thread-settles-like-one-thread`): a frozen
 * clock, the genesis parameters with `verifier_draw: 'receipt'` (the verifier is drawn from the
 * receipt, not from where it lands in the log, which deployments interleave differently), records
 * and consent, and tasks from one seeded generator over the three Vaults of both enterprise nodes,
 * then an explicit epoch close. The node keys come from one key folder the caller shares.
 */
import assert from 'node:assert/strict';
import { DEFAULT_PARAMETERS, EMBEDDED_TOPOLOGY, type Topology } from '../../src/roles/network-topology.ts';
import {
  closeAndFinalize,
  seedVaults,
  submitTask,
  VERIFIED_OR_DONE,
  WorkloadClient,
  waitForStates,
  workloadTask,
} from './cluster-workload.ts';
import { prng } from './prng.ts';

export const SEEDED_FROZEN_MS = 1_790_000_000_000;
export const SEEDED_TASKS = 8;
const VAULTS = ['vlt_lioncity-app', 'vlt_lioncity-loyalty', 'vlt_straits-wallet'];

/** The embedded topology with the verifier drawn from the receipt. */
export const SEEDED_TOPOLOGY: Topology = {
  ...EMBEDDED_TOPOLOGY,
  parameters: { ...DEFAULT_PARAMETERS, verifier_draw: 'receipt' },
};

/** What a deployment settled: the certificate's statement, the entries, the reward ledger, the tasks. */
export type Settled = {
  statement: Record<string, unknown>;
  entries: Record<string, unknown>[];
  /** The epoch's reward records as the ledger's leaves see them (lifecycle fields left out). */
  rewards: string[];
  tasks: string[];
};

/** The seeded workload against `base`: records, consent, tasks, then an explicit close to finality. */
export async function runSeededWorkload(base: string, seed: number): Promise<Settled> {
  const client = new WorkloadClient(base);
  const rand = prng(seed);
  await seedVaults(client, VAULTS, rand);
  const specs = Array.from({ length: SEEDED_TASKS }, () => workloadTask(VAULTS, rand));
  // Submitted concurrently: admission order may differ between the deployments, the roots may not.
  const tasks = await Promise.all(specs.map((spec, i) => submitTask(client, `seeded-${seed}-${i}`, spec)));
  await waitForStates(client, tasks, VERIFIED_OR_DONE);
  const { epoch } = await closeAndFinalize(client);
  const settlement = await client.call('GET', `/v1/epochs/${epoch}/settlement`);
  const rewards = await client.call('GET', `/v1/rewards?epochId=${epoch}`);
  assert.equal(rewards.status, 200);
  return {
    statement: settlement.body.certificate.statement,
    entries: settlement.body.entries,
    rewards: (rewards.body.rewards as Record<string, unknown>[])
      .map((r) =>
        JSON.stringify([r.reward_id, r.epoch_id, r.task_id, r.account, r.role, r.units, r.amount ?? '0', r.source]),
      )
      .sort(),
    tasks: [...tasks].sort(),
  };
}

/** Asserts two deployments settled the same: roots, statement, entries and reward ledger. */
export function assertSameSettlement(a: Settled | undefined, b: Settled | undefined): void {
  assert.ok(a && b, 'both deployments finalized the epoch');
  assert.equal(a.entries.length, SEEDED_TASKS);
  assert.deepEqual(b.tasks, a.tasks);
  assert.equal(b.statement.settlement_root, a.statement.settlement_root);
  assert.equal(b.statement.rewards_root, a.statement.rewards_root);
  assert.deepEqual(b.statement, a.statement);
  assert.deepEqual(b.entries, a.entries);
  assert.deepEqual(b.rewards, a.rewards);
}
