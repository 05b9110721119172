/**
 * Parse replay determinism: the same Parse tasks (two noisy images, a JPEG and a PDF) run in two
 * fresh processes under the same replay context give byte-identical output hashes and transcript
 * hashes. Each child runs in its own empty network namespace when the machine allows it
 * (`unshare --net`, as root), which proves Parse needs no network: OCR model and engine are local.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { renderReceiptImage, renderReceiptPdf } from '../support/receipt-generator.ts';

const child = fileURLToPath(new URL('../support/parse-replay-child.ts', import.meta.url));
const offline = spawnSync('unshare', ['--net', 'true']).status === 0;

function runChild(dir: string) {
  const argv = [process.execPath, '--import', 'tsx', child, dir];
  const res = offline
    ? spawnSync('unshare', ['--net', ...argv], { encoding: 'utf8', timeout: 180_000 })
    : spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 180_000 });
  assert.equal(res.status, 0, res.stderr);
  return JSON.parse(res.stdout.trim().split('\n').at(-1)!) as { pid: number; runs: Record<string, string>[] };
}

describe('Parse replay determinism in fresh processes', () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scs-parse-replay-'));
    writeFileSync(join(dir, 'rec_receipt-a.png'), renderReceiptImage(11, 0).bytes);
    writeFileSync(join(dir, 'rec_receipt-b.jpg'), renderReceiptImage(11, 2).bytes);
    writeFileSync(join(dir, 'rec_receipt-c.pdf'), (await renderReceiptPdf(11, 1)).bytes);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reproduces output and transcript hashes exactly', (t) => {
    t.diagnostic(offline ? 'children ran without network (unshare --net)' : 'unshare unavailable: network not cut');
    const first = runChild(dir);
    const second = runChild(dir);
    assert.notEqual(first.pid, second.pid);
    assert.equal(first.runs.length, 3);
    assert.deepEqual(second.runs, first.runs);
    for (const r of first.runs) {
      assert.match(r.output_hash!, /^[0-9a-f]{64}$/);
      assert.match(r.transcript_hash!, /^[0-9a-f]{64}$/);
    }
    assert.equal(new Set(first.runs.map((r) => r.output_hash)).size, 3, 'different receipts, different outputs');
  });
});
