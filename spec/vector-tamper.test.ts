/** Proves the vector runner fails on a changed byte, a deleted file, an unknown folder and a reasonless skip. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MANIFEST, renderManifest, VECTORS_DIR } from './vector-format.ts';

const runner = join(import.meta.dirname, 'vectors.test.ts');
/** The child must not inherit the parent's test-runner context, or node:test skips running it. */
const { NODE_TEST_CONTEXT: _context, ...baseEnv } = process.env;
const temps: string[] = [];
after(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

function copyVectors(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scs-vectors-'));
  temps.push(dir);
  cpSync(VECTORS_DIR, dir, { recursive: true });
  return dir;
}

function runOn(dir: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', runner], {
    env: { ...baseEnv, SCS_VECTORS_DIR: dir },
    encoding: 'utf8',
  });
  return { status: r.status, output: r.stdout + r.stderr };
}

/** Rewrites the manifest of a copy so only the recomputation can catch the change. */
function reManifest(dir: string): void {
  writeFileSync(join(dir, MANIFEST), renderManifest(dir));
}

describe('vector runner can fail', () => {
  it('passes on an untouched copy', () => {
    assert.equal(runOn(copyVectors()).status, 0);
  });

  it('fails when one byte of a golden value changes, even with a rewritten manifest', () => {
    const dir = copyVectors();
    const file = join(dir, 'reducer', 'happy-path.json');
    const text = readFileSync(file, 'utf8');
    const i = text.indexOf('"state_hash": "') + '"state_hash": "'.length;
    const flipped = text[i] === 'a' ? 'b' : 'a';
    writeFileSync(file, text.slice(0, i) + flipped + text.slice(i + 1));
    assert.notEqual(runOn(dir).status, 0, 'manifest mismatch must fail');
    reManifest(dir);
    const r = runOn(dir);
    assert.notEqual(r.status, 0);
    assert.match(r.output, /not ok .*reducer\/happy-path\.json/);
  });

  it('fails when a vector file is deleted', () => {
    const dir = copyVectors();
    rmSync(join(dir, 'merkle', 'size-05.json'));
    assert.match(runOn(dir).output, /missing/);
  });

  it('fails on an unknown vector folder', () => {
    const dir = copyVectors();
    mkdirSync(join(dir, 'mystery'));
    writeFileSync(join(dir, 'mystery', 'x.json'), '{}\n');
    reManifest(dir);
    const r = runOn(dir);
    assert.notEqual(r.status, 0);
    assert.match(r.output, /unknown vector folder: mystery/);
  });

  it('fails on a skip without a written reason, and honours one with a reason', () => {
    const dir = copyVectors();
    const file = join(dir, 'merkle', 'size-03.json');
    const v = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, `${JSON.stringify({ ...v, skip: '' }, null, 2)}\n`);
    reManifest(dir);
    assert.notEqual(runOn(dir).status, 0);
    writeFileSync(
      file,
      `${JSON.stringify({ ...v, skip: 'pinned elsewhere while the tree layout is reviewed' }, null, 2)}\n`,
    );
    reManifest(dir);
    const r = runOn(dir);
    assert.equal(r.status, 0);
    assert.match(r.output, /# SKIP pinned elsewhere/);
  });
});
