/**
 * A standalone data folder keeps the thread layout it was created with: its Vaults live in the
 * main store (one thread) or in the pipeline worker's (two threads), so the other layout would
 * start with empty Vaults and is refused.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PIPELINE_PGLITE, threadLayout } from '../../src/roles/standalone.ts';

describe('standalone thread layout', () => {
  const root = mkdtempSync(join(tmpdir(), 'scs-layout-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const folder = (name: string, stores: string[]) => {
    const dir = join(root, name);
    for (const s of stores) mkdirSync(join(dir, s), { recursive: true });
    return dir;
  };

  it('gives a new folder what is asked, one thread by default', () => {
    assert.equal(threadLayout(folder('new-a', [])), 1);
    assert.equal(threadLayout(folder('new-b', []), 2), 2);
    assert.equal(threadLayout(folder('new-c', []), 1), 1);
  });

  it('keeps an existing folder on its layout and refuses the other one', () => {
    const one = folder('one', ['pglite']);
    assert.equal(threadLayout(one), 1);
    assert.equal(threadLayout(one, 1), 1);
    assert.throws(() => threadLayout(one, 2), /created with 1 thread/);
    const two = folder('two', ['pglite', PIPELINE_PGLITE]);
    assert.equal(threadLayout(two), 2);
    assert.throws(() => threadLayout(two, 1), /created with 2 thread/);
  });
});
