/**
 * Reducer throughput: fold a realistic log (every task admitted, resolved, dispatched, executed,
 * verified; epochs closed and finalized by 2 of 3 masters) from the empty state, in events per
 * second, beside two baselines in the same run: raw node:crypto SHA-256 over the same bytes (each
 * entry's canonical encoding hashed once), and the raw Ed25519 verifications the fold must do (one
 * per receipt, decision and settlement signature), the floor of any fold that authenticates them.
 *
 *   npx tsx bench/reducer.bench.ts [--tasks 2000,10000] [--json FILE]
 */
import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { canonicalBytes, fold } from '../packages/protocol/src/index.ts';
import { busyNetwork } from '../spec/scenarios.ts';
import { argValue, machine, median, timeMs } from './bench-util.ts';

const sizes = (argValue('--tasks') ?? '1000,5000,20000').split(',').map(Number);
const rows = [];
for (const tasks of sizes) {
  const net = busyNetwork(tasks, 500);
  const entries = net.entries;
  const bytes = entries.map((e) => canonicalBytes(e));
  const totalBytes = bytes.reduce((s, b) => s + b.length, 0);
  const signatures = entries.filter((e) =>
    ['execution_receipt_recorded', 'verification_decided', 'settlement_signed'].includes(e.event.type),
  ).length;
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const message = Buffer.alloc(32, 7);
  const signature = sign(null, message, privateKey);
  const foldMs: number[] = [];
  const hashMs: number[] = [];
  const verifyMs: number[] = [];
  let heapDelta = 0;
  for (let run = 0; run < 3; run++) {
    hashMs.push(
      timeMs(() => {
        for (const b of bytes) createHash('sha256').update(b).digest();
      }),
    );
    verifyMs.push(
      timeMs(() => {
        for (let i = 0; i < signatures; i++) verify(null, message, publicKey, signature);
      }),
    );
    const heapBefore = process.memoryUsage().heapUsed;
    foldMs.push(
      timeMs(() => {
        const r = fold(entries);
        if (r.fatal || r.ignored.length > 0) throw new Error('benchmark log must fold cleanly');
      }),
    );
    heapDelta = Math.max(heapDelta, process.memoryUsage().heapUsed - heapBefore);
  }
  const f = median(foldMs);
  const h = median(hashMs);
  const v = median(verifyMs);
  rows.push({
    tasks,
    events: entries.length,
    mb: +(totalBytes / 1e6).toFixed(2),
    fold_ms: +f.toFixed(1),
    events_per_s: Math.round(entries.length / (f / 1000)),
    sha256_baseline_ms: +h.toFixed(1),
    ratio: +(f / h).toFixed(1),
    signatures,
    ed25519_baseline_ms: +v.toFixed(1),
    ed25519_share: +((v / f) * 100).toFixed(0),
    heap_mb: +(heapDelta / 1e6).toFixed(1),
  });
}
console.log(`reducer fold throughput (${machine()})`);
console.log('| tasks | events | log MB | fold ms | events/s | raw SHA-256 ms | fold / SHA-256 | heap after fold MB |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.tasks} | ${r.events} | ${r.mb} | ${r.fold_ms} | ${r.events_per_s} | ${r.sha256_baseline_ms} | ${r.ratio}x | ${r.heap_mb} |`,
  );
}
const json = argValue('--json');
if (json) writeFileSync(json, JSON.stringify({ machine: machine(), rows }, null, 2));
