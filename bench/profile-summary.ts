/**
 * Summarizes a V8 CPU profile (from `node --cpu-prof`): the top functions by self time, self time
 * by source area (package / node_modules package / node internals), and the inclusive time of
 * functions whose name matches a pattern (time spent in them and everything they call).
 *
 * With `--buckets`, every sample is also classified twice: by what it is doing (its innermost
 * recognizable frame: Ed25519, SHA-256, canonical JSON, PGlite, GC...) and by who asked for it
 * (its innermost recognizable SCS caller: the fold, the log writer, execution...), as a matrix.
 *
 * With `--window FROM,TO` (seconds from the profile's start) only the samples taken in that span
 * count, e.g. one benchmark phase; `--seconds` prints busy milliseconds per second of the profile
 * first, to find the phases.
 *
 *   npx tsx bench/profile-summary.ts FILE.cpuprofile [--top 30] [--inclusive 'apply|verifyEd25519|...'] [--buckets] [--window 12,22] [--seconds]
 */
import { readFileSync } from 'node:fs';
import { argValue } from './bench-util.ts';

type CallFrame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

const file = process.argv[2];
if (!file) throw new Error('usage: profile-summary.ts FILE.cpuprofile [--top N] [--inclusive REGEX]');
const top = Number(argValue('--top') ?? 30);
const inclusive = argValue('--inclusive');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const [fromS, toS] = (argValue('--window') ?? '0,Infinity').split(',').map(Number) as [number, number];
const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
// Self time per node, from the sample stream (each sample's delta is charged to its node).
const selfUs = new Map<number, number>();
const busyPerSecond: number[] = [];
for (let i = 0, at = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]!;
  const delta = profile.timeDeltas[i] ?? 0;
  at += delta;
  const second = Math.floor(at / 1e6);
  if (!idle.has(id)) busyPerSecond[second] = (busyPerSecond[second] ?? 0) + delta;
  if (at >= fromS * 1e6 && at < toS * 1e6) selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
}
if (process.argv.includes('--seconds')) {
  console.log('busy ms per second from the start:');
  console.log(Array.from(busyPerSecond, (us, s) => `${s}:${Math.round((us ?? 0) / 1000)}`).join(' '), '\n');
}
const totalUs = [...selfUs.values()].reduce((s, x) => s + x, 0);

function shortUrl(url: string): string {
  if (!url) return '';
  const u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('/node_modules/');
  if (nm >= 0) return u.slice(nm + '/node_modules/'.length);
  const pk = u.indexOf('/packages/');
  if (pk >= 0) return u.slice(pk + 1);
  const b = u.indexOf('/bench/');
  if (b >= 0) return u.slice(b + 1);
  return u;
}

function area(url: string): string {
  const u = shortUrl(url);
  if (!url) return '(native / GC / idle)';
  if (url.startsWith('node:')) return 'node internals';
  if (u.startsWith('packages/')) return u.split('/').slice(0, 4).join('/');
  if (u.startsWith('bench/')) return 'bench';
  if (u.startsWith('@')) return u.split('/').slice(0, 2).join('/');
  return u.split('/')[0]!;
}

const label = (f: CallFrame) =>
  `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`;

const pct = (us: number) => `${((us / totalUs) * 100).toFixed(1)}%`;
const ms = (us: number) => (us / 1000).toFixed(0);

const selfByFn = new Map<string, number>();
const selfByArea = new Map<string, number>();
for (const [id, us] of selfUs) {
  const f = byId.get(id)!.callFrame;
  selfByFn.set(label(f), (selfByFn.get(label(f)) ?? 0) + us);
  selfByArea.set(area(f.url), (selfByArea.get(area(f.url)) ?? 0) + us);
}

console.log(
  `profile ${file}: ${ms(totalUs)} ms sampled (${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s wall)\n`,
);
console.log('| self ms | share | function |');
console.log('|---:|---:|---|');
for (const [name, us] of [...selfByFn].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`| ${ms(us)} | ${pct(us)} | \`${name}\` |`);
}
console.log('\n| self ms | share | area |');
console.log('|---:|---:|---|');
for (const [name, us] of [...selfByArea].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`| ${ms(us)} | ${pct(us)} | ${name} |`);
}

if (inclusive) {
  // Inclusive time of each matching function: samples whose stack contains it (counted once per sample).
  const re = new RegExp(inclusive);
  const incl = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const f = byId.get(n)!.callFrame;
      const key = `${f.functionName} ${shortUrl(f.url)}`;
      if (f.functionName && re.test(f.functionName) && !seen.has(key)) {
        seen.add(key);
        incl.set(key, (incl.get(key) ?? 0) + us);
      }
    }
  }
  console.log('\n| inclusive ms | share | function |');
  console.log('|---:|---:|---|');
  for (const [name, us] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`| ${ms(us)} | ${pct(us)} | \`${name}\` |`);
  }
}

type Rule = [name: string, test: (f: CallFrame) => boolean];
const fn =
  (...names: string[]) =>
  (f: CallFrame) =>
    names.includes(f.functionName);
const inUrl = (part: string) => (f: CallFrame) => f.url.includes(part);

/** What a sample is doing: the innermost frame that matches, checked from the leaf up. */
const WORK: Rule[] = [
  ['Ed25519 verify', fn('verifyOneShot')],
  ['Ed25519 sign', fn('signOneShot')],
  ['PGlite (WASM + JS)', (f) => f.url.includes('@electric-sql/pglite') || f.url.startsWith('wasm://')],
  [
    'SHA-256',
    (f) => f.url.startsWith('node:internal/crypto/hash') || fn('oneShotDigest', 'Hash', 'update', 'digest')(f),
  ],
  ['canonical JSON (RFC 8785)', (f) => f.url.includes('canonicalize') || f.url.includes('encoding/canonical.ts')],
  ['typebox validation', inUrl('/typebox/')],
  [
    'JSON parse / text decode',
    (f) => fn('parse', 'decode', 'decodeUTF8', 'encode', 'encodeInto')(f) && !f.url.includes('/packages/'),
  ],
  ['GC', fn('(garbage collector)')],
  ['idle', fn('(idle)')],
];

/** Who asked: the innermost SCS (or HTTP) frame that matches, checked from the leaf up. */
const CALLER: Rule[] = [
  ['fold: StateFollower.apply (3 masters)', (f) => f.functionName === 'apply' && f.url.includes('state-follower.ts')],
  ['LogWriter: check + seal before append', (f) => f.url.includes('log-writer.ts')],
  [
    'log read + decode (followers)',
    (f) =>
      f.url.includes('sql-protocol-log.ts') || f.url.includes('log-entries.ts') || f.url.includes('log-follower.ts'),
  ],
  [
    'execution / re-execution (materialize, Merkle, run, receipt)',
    (f) => f.url.includes('/execution/') || f.url.includes('roles/enterprise.ts'),
  ],
  ['vault records / evidence (enterprise SQL)', (f) => f.url.includes('/data/')],
  ['verifier', inUrl('task-verifier.ts')],
  ['lifecycle controller', (f) => f.url.includes('lifecycle-controller.ts') || f.url.includes('task-records.ts')],
  ['settlement signer', inUrl('settlement-signer.ts')],
  ['admission (MasterService / routes)', (f) => f.url.includes('/application/')],
  [
    'HTTP (fastify, undici client)',
    (f) =>
      f.url.includes('/fastify/') ||
      f.url.includes('undici') ||
      f.url.startsWith('node:_http') ||
      f.url.startsWith('node:internal/http'),
  ],
  ['bench harness', inUrl('/bench/')],
];

function classify(id: number, rules: Rule[], fallback: string): string {
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
    const f = byId.get(n)!.callFrame;
    for (const [name, test] of rules) if (test(f)) return name;
  }
  return fallback;
}

if (process.argv.includes('--buckets')) {
  const matrix = new Map<string, Map<string, number>>();
  const workTotal = new Map<string, number>();
  const callerTotal = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const w = classify(id, WORK, 'other JS / native');
    const c = classify(id, CALLER, '(no SCS frame: async continuation, timers, runtime)');
    const row = matrix.get(c) ?? new Map<string, number>();
    row.set(w, (row.get(w) ?? 0) + us);
    matrix.set(c, row);
    workTotal.set(w, (workTotal.get(w) ?? 0) + us);
    callerTotal.set(c, (callerTotal.get(c) ?? 0) + us);
  }
  const works = [...workTotal].sort((a, b) => b[1] - a[1]).map(([w]) => w);
  console.log('\nself ms by caller (rows) and by work (columns):\n');
  console.log(`| caller | total | ${works.join(' | ')} |`);
  console.log(`|---|---:|${works.map(() => '---:').join('|')}|`);
  for (const [c, total] of [...callerTotal].sort((a, b) => b[1] - a[1])) {
    const row = matrix.get(c)!;
    console.log(`| ${c} | ${ms(total)} (${pct(total)}) | ${works.map((w) => ms(row.get(w) ?? 0)).join(' | ')} |`);
  }
  console.log(
    `| **total** | ${ms(totalUs)} | ${works.map((w) => `${ms(workTotal.get(w)!)} (${pct(workTotal.get(w)!)})`).join(' | ')} |`,
  );
}
