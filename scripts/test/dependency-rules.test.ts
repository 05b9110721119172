import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDependencies, findCycles, importsOf } from '../dependency-rules.ts';

const tree = (entries: Record<string, string>) => new Map(Object.entries(entries));

describe('dependency rules', () => {
  it('accepts a clean tree that follows the package direction', () => {
    const v = checkDependencies(
      tree({
        'packages/protocol/src/hash.ts': "import { createHash } from 'node:crypto';\nexport const x = 1;",
        'packages/node/src/data/vault.ts':
          "import { x } from '@symphony/protocol';\nimport type { Store } from '../ports/store.ts';",
        'packages/node/src/ports/store.ts': 'export type Store = {};',
        'packages/cli/src/main.ts': "import '@symphony/node';",
      }),
    );
    assert.deepEqual(v, []);
  });

  it('lets the SDK and the console use the schemas and the core, never the runtime or the CLI', () => {
    const ok = checkDependencies(
      tree({
        'packages/sdk/src/client.ts': "import { signRequest } from '@symphony/api';\nimport '@symphony/protocol';",
        'packages/console/src/app.tsx': "import { SymphonyClient } from '@symphony/sdk';\nimport '@symphony/api';",
      }),
    );
    assert.deepEqual(ok, []);
    const bad = checkDependencies(
      tree({
        'packages/sdk/src/a.ts': "import '@symphony/node';",
        'packages/sdk/test/b.test.ts': "import '@symphony/cli';",
        'packages/console/src/c.tsx': "import '@symphony/node';",
      }),
    );
    assert.deepEqual(bad.map((v) => v.message).sort(), [
      'package console may not import @symphony/node',
      'package sdk may not import @symphony/cli',
      'package sdk may not import @symphony/node',
    ]);
  });

  it('rejects the core importing the runtime', () => {
    const v = checkDependencies(tree({ 'packages/protocol/src/a.ts': "import { y } from '@symphony/node';" }));
    assert.match(v[0]?.message ?? '', /protocol may not import @symphony\/node/);
  });

  it('rejects I/O built-ins, clocks, randomness and the environment in the core', () => {
    const v = checkDependencies(
      tree({
        'packages/protocol/src/a.ts': "import { readFileSync } from 'node:fs';",
        'packages/protocol/src/b.ts': 'export const t = Date.now();',
        'packages/protocol/src/c.ts': 'export const r = Math.random();',
        'packages/protocol/src/d.ts': 'export const e = process.env.X;',
      }),
    );
    assert.equal(v.length, 4);
  });

  it('ignores forbidden words inside strings and comments', () => {
    const v = checkDependencies(
      tree({ 'packages/protocol/src/a.ts': "// Date.now() is banned\nexport const s = 'Math.random is banned';" }),
    );
    assert.deepEqual(v, []);
  });

  it('rejects a layer reaching into adapters', () => {
    const v = checkDependencies(
      tree({
        'packages/node/src/settlement/close.ts': "import { PgStore } from '../adapters/pg-store.ts';",
        'packages/node/src/adapters/pg-store.ts': 'export class PgStore {}',
      }),
    );
    assert.match(v[0]?.message ?? '', /depend on a port/);
  });

  it('reports an import cycle', () => {
    const v = checkDependencies(
      tree({
        'packages/protocol/src/a.ts': "import './b.ts';",
        'packages/protocol/src/b.ts': "import './c.ts';",
        'packages/protocol/src/c.ts': "import './a.ts';",
      }),
    );
    assert.equal(v.length, 1);
    assert.match(v[0]?.message ?? '', /import cycle/);
  });

  it('finds self-loops and leaves acyclic graphs alone', () => {
    assert.deepEqual(findCycles(new Map([['a', ['a']]])), [['a']]);
    assert.deepEqual(
      findCycles(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
      [],
    );
  });

  it('reads static, type-only, re-export and dynamic imports', () => {
    const src =
      "import a from 'x';\nimport type { B } from 'y';\nexport * from './z.ts';\nconst m = await import('w');";
    assert.deepEqual(importsOf(src), ['x', 'y', './z.ts', 'w']);
  });
});
