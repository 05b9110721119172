/**
 * Merkle tree benchmark: build + root, proofs and verification, memory, for 10^4..10^6 leaves of
 * 64 bytes, beside two baselines measured in the same run:
 *   B1  one node:crypto SHA-256 digest per leaf (the least work any per-entry commitment does);
 *       the faster of one-shot `crypto.hash` and `createHash().update().digest()` is the baseline.
 *   B2  one streaming SHA-256 fed every leaf in turn (n*64 bytes, n `update` calls).
 * Usage: npx tsx bench/merkle.bench.ts [--runs 3] [--sizes 10000,100000,1000000] [--json FILE]
 * Prints a markdown table, then the results as JSON on the last line (or into FILE with --json).
 */
import { createHash, hash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { buildMerkleTree, merkleRootHex, verifyInclusion } from '../packages/protocol/src/core-encoding.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

const runs = Math.max(3, Number(option('runs') ?? 3));
const sizes = (option('sizes') ?? '10000,100000,1000000').split(',').map(Number);
const jsonPath = option('json');
const PROOFS = 1000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function timeIt(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

/**
 * Median ms of each function over `runs` rounds. Rounds interleave the functions, so load from
 * other processes on a shared machine hits the tree and its baselines alike.
 */
function measureInterleaved<K extends string>(fns: Record<K, () => unknown>, warmUp: boolean): Record<K, number[]> {
  const keys = Object.keys(fns) as K[];
  if (warmUp) for (const k of keys) fns[k]();
  const times = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let r = 0; r < runs; r++) {
    for (const k of keys) {
      gc();
      times[k].push(timeIt(fns[k]));
    }
  }
  return times;
}

/** Collects garbage and lets V8 release freed ArrayBuffer memory, which happens off the main thread. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function makeLeaves(n: number): Uint8Array[] {
  const index = Buffer.alloc(8);
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    index.writeBigUInt64BE(BigInt(i));
    leaves.push(new Uint8Array(createHash('sha512').update(index).digest()));
  }
  return leaves;
}

const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

type Row = {
  n: number;
  root_ms: number;
  root_only_ms: number;
  b1_ms: number;
  b1_hash_ms: number;
  b1_create_hash_ms: number;
  ratio_root_b1: number;
  ratio_per_round: number[];
  b2_ms: number;
  proofs_per_s: number;
  verify_per_s: number;
  heap_used_mib: number;
  array_buffers_mib: number;
  rss_mib: number;
};

let sink = 0;
const rows: Row[] = [];

// Warm-up so that the first size is not measured cold.
for (const leaf of makeLeaves(2000)) sink += hash('sha256', leaf, 'buffer')[0]!;
sink += buildMerkleTree(makeLeaves(2000)).root[0]!;

for (const n of sizes) {
  const leaves = makeLeaves(n);

  const times = measureInterleaved(
    {
      b1Hash: () => {
        for (let i = 0; i < n; i++) sink += hash('sha256', leaves[i]!, 'buffer')[0]!;
      },
      b1CreateHash: () => {
        for (let i = 0; i < n; i++) sink += createHash('sha256').update(leaves[i]!).digest()[0]!;
      },
      b2: () => {
        const h = createHash('sha256');
        for (let i = 0; i < n; i++) h.update(leaves[i]!);
        sink += h.digest()[0]!;
      },
      root: () => {
        sink += buildMerkleTree(leaves).rootHex.length;
      },
      rootOnly: () => {
        sink += merkleRootHex(leaves).length;
      },
    },
    n <= 100_000,
  );
  const [b1HashMs, b1CreateHashMs, b2Ms, rootMs, rootOnlyMs] = [
    median(times.b1Hash),
    median(times.b1CreateHash),
    median(times.b2),
    median(times.root),
    median(times.rootOnly),
  ];
  const roundRatios = times.root.map((t, r) => t / Math.min(times.b1Hash[r]!, times.b1CreateHash[r]!));

  await settle();
  const before = process.memoryUsage();
  const tree = buildMerkleTree(leaves);
  await settle();
  const after = process.memoryUsage();

  const indices = Array.from({ length: PROOFS }, (_, k) => Math.floor((k * n) / PROOFS + (k % 7)) % n);
  const proofTimes: number[] = [];
  const verifyTimes: number[] = [];
  for (let r = 0; r < runs; r++) {
    let proofs: ReturnType<typeof tree.proof>[] = [];
    proofTimes.push(
      timeIt(() => {
        proofs = indices.map((i) => tree.proof(i));
      }),
    );
    verifyTimes.push(
      timeIt(() => {
        for (let k = 0; k < PROOFS; k++) {
          if (!verifyInclusion(leaves[indices[k]!]!, proofs[k]!, tree.rootHex)) throw new Error('proof failed');
        }
      }),
    );
  }
  if (merkleRootHex(leaves) !== tree.rootHex) throw new Error('root-only and stored-tree roots differ');

  const b1Ms = Math.min(b1HashMs, b1CreateHashMs);
  rows.push({
    n,
    root_ms: Math.round(rootMs),
    root_only_ms: Math.round(rootOnlyMs),
    b1_ms: Math.round(b1Ms),
    b1_hash_ms: Math.round(b1HashMs),
    b1_create_hash_ms: Math.round(b1CreateHashMs),
    ratio_root_b1: Math.round((rootMs / b1Ms) * 100) / 100,
    ratio_per_round: roundRatios.map((x) => Math.round(x * 100) / 100),
    b2_ms: Math.round(b2Ms),
    proofs_per_s: Math.round(PROOFS / (median(proofTimes) / 1000)),
    verify_per_s: Math.round(PROOFS / (median(verifyTimes) / 1000)),
    heap_used_mib: mib(after.heapUsed - before.heapUsed),
    array_buffers_mib: mib(after.arrayBuffers - before.arrayBuffers),
    rss_mib: mib(after.rss - before.rss),
  });
  sink += tree.size;
}

const cpu = cpus()[0]?.model ?? 'unknown cpu';
console.log(`Merkle benchmark: node ${process.version}, ${cpus().length} x ${cpu}, median of ${runs} runs\n`);
console.log(
  '| n | root ms (build tree) | root-only ms | B1 ms (1 digest/leaf) | ratio root/B1 | B2 ms (stream) | proofs/s | verify/s | memory: heap / buffers / rss MiB |',
);
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.n.toLocaleString('en-US')} | ${r.root_ms} | ${r.root_only_ms} | ${r.b1_ms} | ${r.ratio_root_b1.toFixed(2)} | ${r.b2_ms} | ${r.proofs_per_s.toLocaleString('en-US')} | ${r.verify_per_s.toLocaleString('en-US')} | ${r.heap_used_mib} / ${r.array_buffers_mib} / ${r.rss_mib} |`,
  );
}
console.log(`\nroot/B1 per round: ${rows.map((r) => `n=${r.n}: ${r.ratio_per_round.join(', ')}`).join('; ')}`);
console.log(
  `B1 = faster of crypto.hash (${rows.map((r) => r.b1_hash_ms).join(', ')} ms) and createHash (${rows.map((r) => r.b1_create_hash_ms).join(', ')} ms). (sink ${sink % 10})`,
);

const result = { node: process.version, cpu, cores: cpus().length, runs, proofs: PROOFS, rows };
if (jsonPath) writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
else console.log(JSON.stringify(result));
