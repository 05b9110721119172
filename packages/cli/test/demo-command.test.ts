import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/symphony.mjs', import.meta.url));
const STANDALONE = fileURLToPath(new URL('../../node/src/roles/standalone.ts', import.meta.url));
const skip = existsSync(STANDALONE)
  ? false
  : 'packages/node/src/roles/standalone.ts does not exist yet: the demo needs the embedded network';

/** Runs the CLI as a child process; resolves with its exit code and output. */
function runSymphony(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('symphony demo (end to end, child process)', () => {
  it('finalizes an epoch with a 64-hex root, at least 2 signatures and rewards', {
    skip,
    timeout: 180_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'symphony-demo-test-'));
    try {
      const started = Date.now();
      const { code, out, err } = await runSymphony(['demo', '--data', dir]);
      const output = `${out}\n${err}`;
      assert.equal(code, 0, output);
      assert.ok(Date.now() - started < 120_000, 'well under 2 minutes');
      assert.match(out, /settlement root\s+[0-9a-f]{64}\b/);
      assert.match(out, /settlement of epoch \d+: finalized/);
      const certificate = /quorum certificate\n\s+signatures:\s+(\d+)/.exec(out);
      assert.ok(certificate && Number(certificate[1]) >= 2, 'the certificate has at least 2 signatures');
      const signatures = /master signatures: (\d+) \((\d+) match the candidate\)/.exec(out);
      assert.ok(signatures && Number(signatures[2]) >= 2, 'at least 2 matching master signatures');
      const rewards = /rewards: (\d+) records? for (\d+) accounts?/.exec(out);
      assert.ok(rewards && Number(rewards[1]) > 0, 'a non-empty rewards section');
      // The default parameter set carries economics: the epoch pays emission and the stake checks are shown.
      const emission = /emission: ([\d,]+) base units in (\d+) records .*; fees: ([\d,]+)/.exec(out);
      assert.ok(emission && BigInt(emission[1]!.replaceAll(',', '')) > 0n && Number(emission[2]) > 0, out);
      assert.match(out, /stake checks \(.*; 0 blocked\)/);
      assert.match(out, /act_lioncity\s+executor\s+stake\s+100,000\s+min\s+100,000\s+compliant/);
      assert.match(out, /act_master-1\s+verifier\s+stake\s+100,000\s+min\s+100,000\s+compliant/);
      assert.match(out, /task results/);
      assert.match(out, /demo passed/);
      assert.match(out, new RegExp(`symphony up --data ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.ok(existsSync(join(dir, 'examples')), 'example task files are written for exploring');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
