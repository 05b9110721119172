/**
 * Train: seconds per round against the number of Vaults (3, 10, 30) and records per Vault, on the
 * embedded network (3 masters, 2 enterprise nodes, the Vaults split over both; every round goes
 * through the bus: model handed out, local training in each Vault's enclave, sealed update,
 * signature checks, FedAvg in the aggregation enclave, two log appends), beside the same training
 * in memory (same code, no network: federated over the same Vaults, and pooled on their union) in
 * the same run. Records are penguins from `vega-datasets`, drawn with replacement per Vault.
 * Never asserts timings; prints a markdown table.
 *
 *   npx tsx bench/train.bench.ts [--vaults 3,10,30] [--records 20,80] [--rounds 3] [--json FILE]
 */
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import type { RecordInput } from '../packages/api/src/index.ts';
import { MemoryKeyring } from '../packages/node/src/adapters/memory-keyring.ts';
import { runInMemory, vaultExamples } from '../packages/node/src/execution/train/federated-core.ts';
import { planOf } from '../packages/node/src/execution/train/train-plan.ts';
import { openEmbeddedNetwork } from '../packages/node/src/roles/embedded-network.ts';
import { EMBEDDED_TOPOLOGY, type Topology } from '../packages/node/src/roles/network-topology.ts';
import { grantConsents } from '../packages/node/test/support/consent.ts';
import { PENGUIN_DOMAIN, penguinRecords } from '../packages/node/test/support/penguins.ts';
import { openTestPglite } from '../packages/node/test/support/pglite.ts';
import { penguinTrainSpec, trainRequest } from '../packages/node/test/support/train-network.ts';
import { waitFor } from '../packages/node/test/support/wait.ts';
import { argValue, machine, median, timeMs } from './bench-util.ts';

const vaultCounts = (argValue('--vaults') ?? '3,10,30').split(',').map(Number);
const recordCounts = (argValue('--records') ?? '20,80').split(',').map(Number);
const rounds = Number(argValue('--rounds') ?? '3');
const maxVaults = Math.max(...vaultCounts);
const penguins = penguinRecords();

const vaultId = (records: number, i: number) => `vlt_b${records}-${String(i).padStart(2, '0')}`;
/** Records of one Vault: penguins drawn with replacement, subjects local to the Vault. */
function recordsOf(records: number, i: number): RecordInput[] {
  return Array.from({ length: records }, (_, j) => {
    const p = penguins[(i * 7919 + j * 104_729 + records) % penguins.length]!;
    return { subject: `act_b${records}-${i}-${j}`, fields: { ...p.fields } };
  });
}

const all = recordCounts.flatMap((r) => Array.from({ length: maxVaults }, (_, i) => vaultId(r, i)));
const topology: Topology = {
  ...EMBEDDED_TOPOLOGY,
  network_id: 'symphony-train-bench',
  enterprises: [
    { node_id: 'node_north', operator: 'act_north', vault_ids: all.filter((_, i) => i % 2 === 0) },
    { node_id: 'node_south', operator: 'act_south', vault_ids: all.filter((_, i) => i % 2 === 1) },
  ],
  semantic_domains: [PENGUIN_DOMAIN],
};

const loadStart = loadavg()[0]!;
const store = await openTestPglite();
const net = await openEmbeddedNetwork({ store, keyring: new MemoryKeyring(), pollIntervalMs: 20, topology });
const setup = Date.now();
for (const r of recordCounts)
  for (let i = 0; i < maxVaults; i++) {
    const records = recordsOf(r, i);
    await net.coordinator.service.ingest(vaultId(r, i), { records });
    await grantConsents(
      net.coordinator.service,
      vaultId(r, i),
      records.map((x) => x.subject),
      'model_training',
    );
  }
console.error(`set up ${all.length} Vaults in ${((Date.now() - setup) / 1000).toFixed(1)} s`);

const spec = penguinTrainSpec({
  hyperparameters: { rounds, local_epochs: 1, learning_rate: '0.5', batch_size: 16 },
  evaluation: { holdout_bps: 2000 },
});
const plan = planOf(spec, 'f'.repeat(64));
const results = [];
for (const records of recordCounts) {
  for (const n of vaultCounts) {
    const vaults = Array.from({ length: n }, (_, i) => vaultId(records, i));
    const { task_id } = (await net.coordinator.service.submitTask(trainRequest(vaults, spec))).task;
    const state = () => net.coordinator.follower.state;
    await waitFor(
      () => ['awaiting_settlement', 'rejected', 'verifying'].includes(state().tasks[task_id]?.state ?? ''),
      task_id,
      600_000,
    );
    const done = Object.values(state().train_rounds ?? {}).filter((r) => r.task_id === task_id);
    if (done.length !== rounds || done.some((r) => r.state !== 'completed'))
      throw new Error(`${task_id} did not train`);
    // Round time from the log: from a round's start entry to its completion entry.
    const perRound = done.map((r) => {
      const t0 = net.coordinator.follower.taskEntries.get(task_id)!.find((e) => e.seq === r.started_seq)!.time_ms;
      const t1 = net.coordinator.follower.taskEntries.get(task_id)!.find((e) => e.seq === r.ended_seq)!.time_ms;
      return t1 - t0;
    });
    const networkRound = perRound.reduce((a, b) => a + b, 0) / perRound.length / 1000;
    const data = vaults.map((vault_id, i) => ({ vault_id, data: vaultExamples(recordsOf(records, i), spec, plan, 0) }));
    // In-memory figures: median of 5 runs after a warm-up run (they are in the microsecond range).
    const timed = (fn: () => void) => {
      fn();
      return median(Array.from({ length: 5 }, () => timeMs(fn)));
    };
    const federatedMs = timed(() => runInMemory(plan, data, 5));
    const union = data.map((d) => d.data);
    const pooledMs = timed(() =>
      runInMemory(
        plan,
        [
          {
            vault_id: 'vlt_pooled',
            data: {
              train: {
                x: union.flatMap((d) => d.train.x),
                y: Uint8Array.from(union.flatMap((d) => [...d.train.y])),
                subjects: union.flatMap((d) => d.train.subjects),
              },
              holdout: { x: [], y: new Uint8Array(0), subjects: [] },
              skipped: 0,
            },
          },
        ],
        5,
      ),
    );
    const row = {
      vaults: n,
      records_per_vault: records,
      network_s_per_round: networkRound,
      in_memory_federated_s_per_round: federatedMs / 1000 / rounds,
      pooled_s_per_round: pooledMs / 1000 / rounds,
    };
    results.push(row);
    console.error(JSON.stringify(row));
  }
}
const loadEnd = loadavg()[0]!;
await net.close();
await store.close();

console.log(`machine: ${machine()}; load average ${loadStart.toFixed(1)} at start, ${loadEnd.toFixed(1)} at end`);
console.log(`rounds per task: ${rounds}, local epochs 1, batch 16, logistic regression on 4 features\n`);
console.log(
  '| Vaults | records / Vault | network s / round | in-memory federated s / round | pooled s / round | network / pooled |',
);
console.log(
  '| -----: | --------------: | ----------------: | ----------------------------: | ---------------: | ---------------: |',
);
for (const r of results)
  console.log(
    `| ${r.vaults} | ${r.records_per_vault} | ${r.network_s_per_round.toFixed(3)} | ${r.in_memory_federated_s_per_round.toFixed(5)} | ${r.pooled_s_per_round.toFixed(5)} | ${(r.network_s_per_round / r.pooled_s_per_round).toFixed(0)} |`,
  );
const json = argValue('--json');
if (json)
  await writeFile(json, `${JSON.stringify({ machine: machine(), loadStart, loadEnd, rounds, results }, null, 2)}\n`);
