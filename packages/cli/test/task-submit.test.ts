import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../src/program.ts';
import { argv, captureIo } from './support/capture-io.ts';
import { type FakeApi, refusedUrl, startFakeApi } from './support/fake-api.ts';
import { sampleRequest, sampleTask } from './support/fixtures.ts';

describe('symphony task submit', () => {
  let dir: string;
  let api: FakeApi;
  const fetchMustNotRun: typeof fetch = () => {
    throw new Error('an invalid file must not be sent');
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'symphony-cli-submit-'));
    api = await startFakeApi({
      'POST /v1/tasks': (request) =>
        request.headers['idempotency-key'] === 'taken'
          ? {
              status: 409,
              body: {
                code: 'idempotency_conflict',
                message: 'key taken by another body',
                details: { field: 'Idempotency-Key' },
              },
            }
          : { status: 201, body: sampleTask('accepted') },
    });
  });
  after(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function submit(body: unknown, ...extra: string[]) {
    const file = join(dir, `task-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, typeof body === 'string' ? body : JSON.stringify(body));
    const io = captureIo({ fetch: fetchMustNotRun });
    const code = await runCli(argv('task', 'submit', file, ...extra), io);
    return { code, out: io.out(), err: io.err(), file };
  }

  it('prints each bad field with its reason and exits 2 without calling the API', async () => {
    const request = sampleRequest() as Record<string, unknown>;
    request.submitter = 'bob';
    request.extra = true;
    const { code, err, out } = await submit(request);
    assert.equal(code, 2);
    assert.equal(out, '');
    assert.match(err, /error invalid_input: .* is not a valid SubmitTaskRequest/);
    assert.match(err, /\/submitter: must match \^act_.*Actor \(account\) identifier/);
    assert.match(err, /\/extra: is not a known field/);
  });

  it('narrows the spec to its kind and names the nested field', async () => {
    const request = sampleRequest();
    (request.spec as unknown as { program: { operator: string } }).program.operator = 'median';
    const { code, err } = await submit(request);
    assert.equal(code, 2);
    assert.match(err, /\/spec\/program\/operator: must be one of "count", "sum", "mean", "histogram"/);
    assert.doesNotMatch(err, /extractor|group_by/, 'errors of other spec kinds are not listed');
  });

  it('names an unknown spec kind and a missing required field', async () => {
    const unknownKind = { ...sampleRequest(), spec: { kind: 'mine', filter: [] } };
    const first = await submit(unknownKind);
    assert.equal(first.code, 2);
    assert.match(first.err, /\/spec\/kind: must be one of "parse", "query", "compute", "train" \(got "mine"\)/);
    const { budget: _budget, ...withoutBudget } = sampleRequest();
    const second = await submit(withoutBudget);
    assert.match(second.err, /\/budget: is required/);
  });

  it('explains a bad array item and a bad scalar inside a union', async () => {
    const request = sampleRequest();
    request.targets.vault_ids = ['vlt_alpha', 'VAULT 2'];
    (request.spec as unknown as { filter: { value: unknown }[] }).filter[0]!.value = 1.5;
    const { code, err } = await submit(request);
    assert.equal(code, 2);
    assert.match(err, /\/targets\/vault_ids\/1: must match/);
    assert.match(err, /\/spec\/filter\/0\/value: /);
  });

  it('refuses a file that is not JSON, or missing, with exit 2', async () => {
    const notJson = await submit('{ "class": ');
    assert.equal(notJson.code, 2);
    assert.match(notJson.err, /is not valid JSON/);
    const io = captureIo({ fetch: fetchMustNotRun });
    assert.equal(await runCli(argv('task', 'submit', join(dir, 'nope.json')), io), 2);
    assert.match(io.err(), /cannot read .*nope\.json: no such file/);
  });

  it('submits a valid file with its Idempotency-Key and says what to do next', async () => {
    const file = join(dir, 'ok.json');
    await writeFile(file, JSON.stringify(sampleRequest()));
    const io = captureIo();
    const code = await runCli(argv('--api', api.url, 'task', 'submit', file, '--idempotency-key', 'k-1'), io);
    assert.equal(code, 0, io.err());
    assert.equal(api.requests.at(-1)?.headers['idempotency-key'], 'k-1');
    assert.match(io.out(), /submitted tsk_0001 \(compute\), now accepted/);
    assert.match(io.out(), new RegExp(`symphony --api ${api.url} task watch tsk_0001`));
  });

  it('prints the raw task with --json', async () => {
    const file = join(dir, 'ok-json.json');
    await writeFile(file, JSON.stringify(sampleRequest()));
    const io = captureIo();
    assert.equal(await runCli(argv('--api', api.url, '--json', 'task', 'submit', file), io), 0);
    assert.deepEqual(JSON.parse(io.out()), sampleTask('accepted'));
  });

  it('prints an API error as code, message, field and fix, exit 1', async () => {
    const file = join(dir, 'conflict.json');
    await writeFile(file, JSON.stringify(sampleRequest()));
    const io = captureIo();
    assert.equal(await runCli(argv('--api', api.url, 'task', 'submit', file, '-k', 'taken'), io), 1);
    assert.match(io.err(), /^error idempotency_conflict: key taken by another body$/m);
    assert.match(io.err(), /^ {2}field: Idempotency-Key$/m);
    assert.match(io.err(), /^ {2}fix: Use a new Idempotency-Key/m);
  });

  it('says how to start a node when none answers', async () => {
    const url = await refusedUrl();
    const file = join(dir, 'refused.json');
    await writeFile(file, JSON.stringify(sampleRequest()));
    const io = captureIo();
    assert.equal(await runCli(argv('--api', url, 'task', 'submit', file), io), 1);
    assert.match(
      io.err(),
      new RegExp(`error connection_refused: no Symphony node answers at ${url}: start one with \`symphony up\``),
    );
  });
});
