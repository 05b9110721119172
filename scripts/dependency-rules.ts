/**
 * Dependency-direction rules of the repository (DESIGN.md section 9), as a pure function over
 * source texts so it can be tested on synthetic trees. `check-deps.ts` runs it on the real tree.
 */
import { dirname, join, normalize } from 'node:path';

/** Which workspace packages each package may import. */
export const allowedPackageImports: Record<string, readonly string[]> = {
  protocol: [],
  api: ['protocol'],
  node: ['protocol', 'api'],
  sdk: ['protocol', 'api'],
  cli: ['protocol', 'api', 'node', 'sdk'],
  console: ['protocol', 'api', 'sdk'],
};

/** Node built-ins the pure core may use: hashing and signature checks are computation, not I/O. */
const protocolAllowedBuiltins = new Set(['node:crypto']);

/** Ambient non-determinism the pure core must never touch. */
const protocolForbiddenPatterns: readonly [RegExp, string][] = [
  [/\bMath\.random\b/, 'Math.random'],
  [/\bDate\.now\b/, 'Date.now'],
  [/\bnew Date\(\s*\)/, 'new Date() (reads the clock)'],
  [/\bprocess\./, 'process.* (environment, clock or I/O)'],
  [/\bperformance\.now\b/, 'performance.now'],
  [/\brandom(Bytes|UUID|Int)\b/, 'crypto randomness'],
  [/\bgetRandomValues\b/, 'crypto randomness'],
  [/\bset(Timeout|Interval|Immediate)\b/, 'timers'],
];

const nodeLayerFolders = [
  'application',
  'coordination',
  'semantic',
  'data',
  'execution',
  'verification',
  'settlement',
  'governance',
  'assurance',
  'anchoring',
  'wire',
  'ports',
];

export type Violation = { file: string; message: string };

const importPattern =
  /(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"\\])\/\/.*$/gm, '$1');
}

/** The specifiers a source file imports (static, re-export and dynamic). */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  for (const m of stripComments(source).matchAll(importPattern)) {
    const spec = m[1] ?? m[2];
    if (spec) out.push(spec);
  }
  return out;
}

/** `packages/node/src/data/x.ts` -> `{ pkg: 'node', area: 'src', folder: 'data' }` */
function locate(file: string): { pkg: string; area: string; folder: string } | undefined {
  const parts = file.split('/');
  if (parts[0] !== 'packages' || parts.length < 4) return undefined;
  return { pkg: parts[1] ?? '', area: parts[2] ?? '', folder: parts.length > 4 ? (parts[3] ?? '') : '' };
}

/**
 * Checks a tree given as repository-relative path -> source text. Returns every violation:
 * forbidden package imports, I/O or non-determinism in the pure core, node layers reaching into
 * adapters or roles, and import cycles between files.
 */
export function checkDependencies(files: ReadonlyMap<string, string>): Violation[] {
  const violations: Violation[] = [];
  const graph = new Map<string, string[]>();

  for (const [file, source] of files) {
    const here = locate(file);
    const edges: string[] = [];
    graph.set(file, edges);
    if (!here) continue;
    const inSource = here.area === 'src';

    for (const spec of importsOf(source)) {
      if (spec.startsWith('.')) {
        const target = normalize(join(dirname(file), spec));
        edges.push(target);
        const there = locate(target);
        if (there && there.pkg !== here.pkg) {
          violations.push({ file, message: `relative import ${spec} crosses into package ${there.pkg}` });
        }
        if (here.pkg === 'node' && inSource && nodeLayerFolders.includes(here.folder)) {
          if (there?.folder === 'adapters' || there?.folder === 'roles') {
            violations.push({
              file,
              message: `layer ${here.folder} imports ${there.folder} (${spec}); depend on a port`,
            });
          }
        }
        if (here.pkg === 'node' && here.folder === 'adapters' && there?.folder === 'roles') {
          violations.push({ file, message: `adapters import roles (${spec})` });
        }
        continue;
      }
      const scoped = /^@symphony\/([^/]+)/.exec(spec);
      if (scoped) {
        const target = scoped[1] ?? '';
        const allowed = allowedPackageImports[here.pkg] ?? [];
        if (target !== here.pkg && !allowed.includes(target)) {
          violations.push({ file, message: `package ${here.pkg} may not import @symphony/${target}` });
        }
        continue;
      }
      if (here.pkg === 'protocol' && inSource) {
        const builtin = spec.startsWith('node:') ? spec : isBareBuiltin(spec) ? `node:${spec}` : undefined;
        if (builtin && !protocolAllowedBuiltins.has(builtin)) {
          violations.push({ file, message: `the pure core imports ${spec}` });
        }
      }
    }

    if (here.pkg === 'protocol' && inSource) {
      const text = stripComments(source).replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''");
      for (const [pattern, what] of protocolForbiddenPatterns) {
        if (pattern.test(text)) violations.push({ file, message: `the pure core uses ${what}` });
      }
    }
  }

  for (const cycle of findCycles(graph)) {
    violations.push({ file: cycle[0] ?? '', message: `import cycle: ${cycle.join(' -> ')}` });
  }
  return violations;
}

const bareBuiltins = new Set([
  'fs',
  'fs/promises',
  'path',
  'os',
  'net',
  'http',
  'https',
  'http2',
  'child_process',
  'worker_threads',
  'dgram',
  'dns',
  'tls',
  'process',
  'crypto',
  'stream',
  'readline',
  'cluster',
  'vm',
  'timers',
  'perf_hooks',
]);
function isBareBuiltin(spec: string): boolean {
  return bareBuiltins.has(spec);
}

/** Strongly connected components of size > 1 (or self-loops), by Tarjan's algorithm. */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];

  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indices.get(w)!));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.reverse());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!indices.has(v)) visit(v);
  return cycles;
}
