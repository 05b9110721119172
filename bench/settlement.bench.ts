/**
 * Settlement latency in the reducer: for an epoch of N verified tasks, the time from the
 * `epoch_closed` entry to the candidate root (entries ordered, fees split, emission minted, both
 * trees built: what every master does in that one step) and from the candidate to finality (the
 * two matching signatures: tasks completed, rewards finalized, payout intents and batches
 * derived). Beside them, an in-run baseline: the RFC 6962 root over the same entries' JCS bytes
 * alone, so figures taken on a loaded machine can be read as ratios.
 *
 *   npx tsx bench/settlement.bench.ts [--tasks 1000,10000,100000] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { canonicalBytes, merkleRootHex } from '../packages/protocol/src/index.ts';
import { defaultParameters, NetworkFixture } from '../packages/protocol/test/support/network-fixture.ts';
import { argValue, machine, timeMs } from './bench-util.ts';

const sizes = (argValue('--tasks') ?? '1000,10000').split(',').map(Number);
const economics = {
  genesis_supply: '1000000000000000000000000000',
  emission_year_bps: [800, 500, 300, 150],
  data_quality_pool_bps: 6000,
  unbonding_period_ms: 604_800_000,
};

const rows = [];
for (const tasks of sizes) {
  const net = new NetworkFixture()
    .genesis(defaultParameters({ economics }))
    .enterpriseNode('node_ent-a', ['vlt_a1'])
    .enterpriseNode('node_ent-b', ['vlt_b1']);
  const buildStarted = performance.now();
  for (let i = 0; i < tasks; i++) net.completeTask(`tsk_s${i.toString(36)}`, [i % 3 === 0 ? 'vlt_b1' : 'vlt_a1']);
  const buildMs = performance.now() - buildStarted;
  net.time_ms += 3_600_000;

  const candidateMs = timeMs(() => net.closeEpoch());
  const s = net.state.settlements[1]!;
  if (s.state !== 'candidate_ready' || s.entries.length !== tasks) throw new Error('candidate not built');
  const finalityMs = timeMs(() => {
    if (net.sign(1, 0).kind !== 'applied' || net.sign(1, 1).kind !== 'applied') throw new Error('signature refused');
  });
  if (net.state.settlements[1]!.state !== 'finalized') throw new Error('not finalized');
  const leaves = s.entries.map((e) => canonicalBytes(e));
  const baselineMs = timeMs(() => merkleRootHex(leaves));
  rows.push({
    tasks,
    rewards: s.candidate!.statement.reward_count,
    payout_batches: Object.keys(net.state.payout_batches ?? {}).length,
    setup_s: +(buildMs / 1000).toFixed(1),
    close_to_candidate_ms: +candidateMs.toFixed(1),
    candidate_to_finality_ms: +finalityMs.toFixed(1),
    close_to_finality_ms: +(candidateMs + finalityMs).toFixed(1),
    baseline_root_only_ms: +baselineMs.toFixed(1),
    candidate_vs_baseline: +(candidateMs / baselineMs).toFixed(1),
  });
  console.error(`done ${tasks}`);
}
const report = { bench: 'settlement', machine: machine(), note: 'shared machine, other jobs running', rows };
console.table(rows);
const json = argValue('--json');
if (json) writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
