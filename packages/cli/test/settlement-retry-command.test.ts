/**
 * `symphony settlement retry EPOCH` posts the governance recovery of a failed settlement and shows
 * the new attempt; a refusal (the settlement is not failed) exits non-zero with the code and reason.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../src/program.ts';
import { argv, captureIo } from './support/capture-io.ts';
import { type FakeApi, startFakeApi } from './support/fake-api.ts';
import { sampleSettlement } from './support/fixtures.ts';

describe('settlement retry against a fake node', () => {
  let api: FakeApi;
  before(async () => {
    api = await startFakeApi({
      'POST /v1/epochs/3/settlement/retry': () => ({
        body: { ...sampleSettlement('candidate_ready'), epoch_id: 3, attempt: 2 },
      }),
      'POST /v1/epochs/4/settlement/retry': () => ({
        status: 409,
        body: { code: 'settlement_refused', message: 'epoch 4 is finalized', details: { reason: 'not_failed' } },
      }),
    });
  });
  after(() => api.close());

  const run = async (...args: string[]) => {
    const io = captureIo();
    const code = await runCli(argv('--api', api.url, ...args), io);
    return { code, out: io.out(), err: io.err() };
  };

  it('posts the retry with no body and prints the new attempt', async () => {
    const { code, out } = await run('settlement', 'retry', '3', '--json');
    assert.equal(code, 0);
    const sent = api.requests.at(-1)!;
    assert.equal(sent.method, 'POST');
    assert.equal(sent.path, '/v1/epochs/3/settlement/retry');
    assert.equal(sent.body, undefined);
    const view = JSON.parse(out);
    assert.equal(view.attempt, 2);
    assert.equal(view.state, 'candidate_ready');
    const text = await run('settlement', 'retry', '3');
    assert.equal(text.code, 0);
    assert.match(text.out, /candidate_ready/);
    assert.match(text.out, /settlement show 3/);
  });

  it('reports a refused retry with its code and reason and exits non-zero', async () => {
    const { code, err } = await run('settlement', 'retry', '4');
    assert.notEqual(code, 0);
    assert.match(err, /settlement_refused|finalized/);
    const bad = await run('settlement', 'retry', 'zero');
    assert.notEqual(bad.code, 0);
  });
});
