#!/usr/bin/env node
// Runs every *.test.ts file under packages/*/test and spec/ with node:test through tsx.
// Usage: node scripts/run-tests.mjs [path-substring ...]   (filters test files by substring)
// Files named *.serial.test.ts (clusters of processes, fault injection) run in a second phase,
// one file at a time, after the others: they start many processes and must not share the CPU
// with the parallel phase.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const roots = ['packages', 'spec', 'scripts'];

/** @param {string} dir @returns {string[]} */
function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const filters = process.argv.slice(2);
const files = roots
  .flatMap((r) => findTests(join(root, r)))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const serial = files.filter((f) => f.endsWith('.serial.test.ts'));
const parallel = files.filter((f) => !f.endsWith('.serial.test.ts'));
/** @param {string[]} phase @param {number} concurrency */
const run = (phase, concurrency) =>
  spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, ...phase],
    { cwd: root, stdio: 'inherit' },
  ).status ?? 1;
let status = 0;
if (parallel.length > 0) status = run(parallel, 2);
if (serial.length > 0) {
  console.log(`\n== serial phase: ${serial.length} file(s), one at a time ==`);
  status = run(serial, 1) || status;
}
process.exit(status);
