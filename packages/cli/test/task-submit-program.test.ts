import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { sha256Hex } from '@symphony/protocol';
import { runCli } from '../src/program.ts';
import { argv, captureIo } from './support/capture-io.ts';
import { type FakeApi, startFakeApi } from './support/fake-api.ts';
import { sampleTask } from './support/fixtures.ts';

const programFile = new URL('../../../examples/programs/coffee-eligibility.js', import.meta.url).pathname;

describe('symphony task submit --program', () => {
  let api: FakeApi;
  before(async () => {
    api = await startFakeApi({ 'POST /v1/tasks': () => ({ status: 201, body: sampleTask('accepted') }) });
  });
  after(() => api.close());

  it('sends the program source with its SHA-256 code hash in a compute spec', async () => {
    const io = captureIo();
    const code = await runCli(
      argv(
        '--api',
        api.url,
        'task',
        'submit',
        '--class',
        'compute',
        '--program',
        programFile,
        '--vault',
        'vlt_lioncity-app',
        '--attributes',
        'category,total_amount,purchased_at',
        '--submitter',
        'act_brand',
        '--max-output-bytes',
        '4096',
      ),
      io,
    );
    assert.equal(code, 0, io.err());
    const source = await readFile(programFile, 'utf8');
    const body = api.requests.at(-1)?.body as {
      class: string;
      targets: { vault_ids: string[] };
      semantic: { attributes: string[] };
      spec: { kind: string; program: { type: string; code_hash: string; source: string; max_output_bytes: number } };
    };
    assert.equal(body.class, 'compute');
    assert.deepEqual(body.targets.vault_ids, ['vlt_lioncity-app']);
    assert.deepEqual(body.semantic.attributes, ['category', 'total_amount', 'purchased_at']);
    assert.deepEqual(body.spec.program, {
      type: 'sandbox',
      code_hash: sha256Hex(new TextEncoder().encode(source)),
      max_output_bytes: 4096,
      source,
    });
  });

  it('refuses another class, and missing flags, with exit 2 before calling the API', async () => {
    const before = api.requests.length;
    const wrongClass = captureIo();
    assert.equal(
      await runCli(argv('--api', api.url, 'task', 'submit', '--class', 'query', '--program', programFile), wrongClass),
      2,
    );
    assert.match(wrongClass.err(), /--program needs --class compute/);
    const missing = captureIo();
    assert.equal(await runCli(argv('--api', api.url, 'task', 'submit', '--program', programFile), missing), 2);
    assert.match(missing.err(), /--vault is required with --program/);
    const nothing = captureIo();
    assert.equal(await runCli(argv('--api', api.url, 'task', 'submit'), nothing), 2);
    assert.equal(api.requests.length, before);
  });
});
