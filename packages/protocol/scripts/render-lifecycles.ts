/**
 * Rewrites docs/protocol-lifecycles.md from the lifecycle machines.
 * Usage: npx tsx packages/protocol/scripts/render-lifecycles.ts [--check]
 * With --check it writes nothing and exits 1 when the file is missing or stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LIFECYCLES, renderLifecyclesDocument } from '../src/lifecycle/index.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const target = join(root, 'docs', 'protocol-lifecycles.md');
const expected = renderLifecyclesDocument(Object.values(LIFECYCLES));
const name = relative(root, target);

if (process.argv.includes('--check')) {
  let current: string | undefined;
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    current = undefined;
  }
  if (current !== expected) {
    console.error(
      `${name} is ${current === undefined ? 'missing' : 'stale'}; run packages/protocol/scripts/render-lifecycles.ts`,
    );
    process.exit(1);
  }
  console.log(`${name} is up to date`);
} else {
  writeFileSync(target, expected);
  console.log(`wrote ${name}`);
}
