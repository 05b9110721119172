import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LIFECYCLES, renderLifecycleMarkdown, renderLifecyclesDocument } from '../src/lifecycle/index.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const generated = join(root, 'docs', 'protocol-lifecycles.md');
const protocolDoc = join(root, 'docs', 'protocol.md');
const fix = 'run `npx tsx packages/protocol/scripts/render-lifecycles.ts`';

describe('lifecycle documentation', () => {
  it('docs/protocol-lifecycles.md is exactly the rendered lifecycles', () => {
    assert.ok(existsSync(generated), `docs/protocol-lifecycles.md is missing; ${fix}`);
    const text = readFileSync(generated, 'utf8');
    for (const m of Object.values(LIFECYCLES)) {
      assert.ok(text.includes(renderLifecycleMarkdown(m)), `the ${m.name} section is stale; ${fix}`);
    }
    assert.equal(text, renderLifecyclesDocument(Object.values(LIFECYCLES)), `the file is stale; ${fix}`);
    assert.ok(text.startsWith('# Lifecycles\n'));
  });

  it('docs/protocol.md links the generated lifecycle tables', () => {
    assert.match(readFileSync(protocolDoc, 'utf8'), /\(protocol-lifecycles\.md\)/);
  });

  it('renders states with their marks and escapes table cells', () => {
    const section = renderLifecycleMarkdown(LIFECYCLES.reward);
    assert.ok(section.startsWith('## Reward lifecycle\n'));
    assert.ok(section.includes('\n6. `adjusted` (initial, terminal)\n'));
    const rows = section.split('\n').filter((l) => l.startsWith('|'));
    assert.equal(rows.length, LIFECYCLES.reward.transitions.length + 2);
    assert.match(rows[0] ?? '', /^\| from +\| to +\| reason +\|$/);
    assert.match(rows[1] ?? '', /^\| -+ \| -+ \| -+ \|$/);
    // columns padded to one width, as Biome formats markdown tables
    assert.equal(new Set(rows.map((r) => r.length)).size, 1);
    const piped = renderLifecycleMarkdown({
      name: 'task',
      states: ['a', 'b'],
      initial: ['a'],
      terminal: ['b'],
      transitions: [{ from: 'a', to: 'b', reason: 'x | y' }],
    });
    assert.ok(piped.includes('| `a`  | `b` | x \\| y |'), piped);
  });
});
