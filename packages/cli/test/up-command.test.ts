import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { sha256Hex } from '@symphony/protocol';
import { runCli } from '../src/program.ts';
import type { StandaloneOptions, StartStandalone } from '../src/runtime/standalone.ts';
import { argv, captureIo } from './support/capture-io.ts';

/** A stand-in for the embedded network that records how it was started and closed. */
function fakeStandalone() {
  const calls: { options?: StandaloneOptions; closed: number } = { closed: 0 };
  const start: StartStandalone = async (options) => {
    calls.options = options;
    options.onProgress?.('opening the embedded database');
    return {
      url: `http://127.0.0.1:${options.port === 0 ? 40123 : options.port}`,
      dataDir: options.dataDir,
      close: async () => {
        calls.closed++;
      },
    };
  };
  return { calls, load: async () => start };
}

describe('symphony up', () => {
  it('starts the network, prints where it answers and what to try, and closes on SIGINT', async () => {
    const fake = fakeStandalone();
    const io = captureIo({ cwd: '/srv/work' });
    const running = runCli(argv('up', '--port', '7171', '--quiet'), io, { loadStandalone: fake.load });
    for (let i = 0; i < 100 && !io.out().includes('Ctrl-C'); i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(fake.calls.options?.dataDir, '/srv/work/.data/symphony');
    assert.equal(fake.calls.options?.port, 7171);
    assert.equal(fake.calls.options?.host, '127.0.0.1');
    assert.equal(fake.calls.options?.logger, false);
    const out = io.out();
    assert.match(out, /· opening the embedded database/);
    assert.match(out, /Symphony is up at http:\/\/127\.0\.0\.1:7171/);
    assert.match(out, /OpenAPI: http:\/\/127\.0\.0\.1:7171\/openapi\.json/);
    assert.match(out, /docs: {4}http:\/\/127\.0\.0\.1:7171\/docs/);
    assert.match(out, /symphony --api http:\/\/127\.0\.0\.1:7171 task list/);
    assert.equal(fake.calls.closed, 0);
    io.signal('SIGINT');
    assert.equal(await running, 0);
    assert.equal(fake.calls.closed, 1);
    assert.match(io.out(), /SIGINT: stopping the network…\nstopped/);
  });

  it('approves Compute programs per Vault by file (its SHA-256) or by hash', async () => {
    const fake = fakeStandalone();
    const io = captureIo();
    const file = new URL('../../../examples/programs/coffee-eligibility.js', import.meta.url).pathname;
    const running = runCli(
      argv(
        'up',
        '--quiet',
        '--approve-program',
        `vlt_lioncity-app=${file}`,
        '--approve-program',
        `vlt_straits-wallet=${'a'.repeat(64)}`,
      ),
      io,
      { loadStandalone: fake.load },
    );
    for (let i = 0; i < 100 && !io.out().includes('Ctrl-C'); i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(fake.calls.options?.approvedPrograms, {
      'vlt_lioncity-app': [sha256Hex(new Uint8Array(await readFile(file)))],
      'vlt_straits-wallet': ['a'.repeat(64)],
    });
    io.signal('SIGINT');
    assert.equal(await running, 0);
  });

  it('explains a port already in use', async () => {
    const io = captureIo();
    const inUse: StartStandalone = async () => {
      throw Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
    };
    const code = await runCli(argv('up', '--data', '/tmp/x'), io, { loadStandalone: async () => inUse });
    assert.equal(code, 1);
    assert.match(io.err(), /port 7070 on 127\.0\.0\.1 is in use/);
  });
});
