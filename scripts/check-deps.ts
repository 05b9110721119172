/** Fails (exit 1) on a forbidden import, I/O or non-determinism in the pure core, or an import cycle. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checkDependencies } from './dependency-rules.ts';

const root = join(import.meta.dirname, '..');

function walk(dir: string, out: Map<string, string>): void {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts'))
      out.set(relative(root, path), readFileSync(path, 'utf8'));
  }
}

const files = new Map<string, string>();
walk(join(root, 'packages'), files);
const violations = checkDependencies(files);
for (const v of violations) console.error(`${v.file}: ${v.message}`);
if (violations.length > 0) {
  console.error(`dependency check failed: ${violations.length} violation(s)`);
  process.exit(1);
}
console.log(`dependency check passed: ${files.size} files, no forbidden import, no cycle`);
