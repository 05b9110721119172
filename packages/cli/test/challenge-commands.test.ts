import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ChallengeReplayBundle } from '@symphony/api';
import type { ChallengeEvidence, Entry } from '@symphony/protocol';
import { runCli } from '../src/program.ts';
import { argv, captureIo } from './support/capture-io.ts';
import { type FakeApi, startFakeApi } from './support/fake-api.ts';

/**
 * A decided equivocation challenge from the golden vector `reducer/staked-challenges.json`: its
 * evidence is master-2's two `settlement_signed` events of epoch 1, both on the log.
 */
function decidedBundle(): ChallengeReplayBundle {
  const vector = JSON.parse(
    readFileSync(join(import.meta.dirname, '../../../spec/vectors/reducer/staked-challenges.json'), 'utf8'),
  ) as { entries: Entry[] };
  const signed = vector.entries
    .map((e) => e.event)
    .filter((e) => e.type === 'settlement_signed' && e.master_id === 'node_master-2' && e.statement.epoch_id === 1)
    .slice(0, 2)
    .map((e) => (e.type === 'settlement_signed' ? { statement: e.statement, signature: e.signature } : undefined)!);
  const evidence: ChallengeEvidence = { kind: 'master_equivocation', epoch_id: 1, master_id: 'node_master-2', signed };
  return { challenge_id: 'chl_equivocation', evidence, findings: {}, entries: vector.entries };
}

describe('challenge commands', () => {
  let api: FakeApi;
  const bundle = decidedBundle();
  let tampered = false;
  const dir = mkdtempSync(join(tmpdir(), 'scs-cli-challenge-'));

  before(async () => {
    api = await startFakeApi({
      'GET /v1/challenges/chl_equivocation/replay': () => ({
        // Tampered: the same two signatures in the other order are other evidence than the log committed to.
        body: tampered
          ? {
              ...bundle,
              evidence: {
                ...bundle.evidence,
                signed: [...(bundle.evidence as { signed: unknown[] }).signed].reverse(),
              },
            }
          : bundle,
      }),
      'POST /v1/challenges/chl_equivocation/evidence': () => ({
        status: 422,
        body: {
          code: 'challenge_refused',
          message: 'closed with a penalty',
          details: { reason: 'illegal_transition' },
        },
      }),
      'POST /v1/challenges': (request) => ({
        status: 201,
        body: {
          challenge: {
            challenge_id: 'chl_new',
            target: (request.body as { target: unknown }).target,
            challenger: 'act_watcher',
            grounds: 'replay_output',
            bond: '500',
            state: 'opened',
            history: [{ state: 'opened', seq: 9, time_ms: 1 }],
            finalized_context: false,
            evidence_hashes: ['c'.repeat(64)],
            stake_movements: [],
          },
          evidence: [],
        },
      }),
    });
  });
  after(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (...args: string[]) => {
    const io = captureIo();
    const code = await runCli(argv('--api', api.url, ...args), io);
    return { code, out: io.out(), err: io.err() };
  };

  it('replays a decided challenge in this process and reproduces the logged decision', async () => {
    const { code, out } = await run('challenge', 'replay', 'chl_equivocation');
    assert.equal(code, 0, out);
    assert.match(out, /outcome\s+confirmed \(master_equivocation\)/);
    assert.match(out, /accused\s+node_master-2/);
    assert.match(out, /the replay reproduces the logged decision/);
  });

  it('exits 1 when the evidence served does not reproduce the logged decision', async () => {
    tampered = true;
    const { code, out } = await run('challenge', 'replay', 'chl_equivocation');
    tampered = false;
    assert.equal(code, 1, out);
    assert.match(out, /MISMATCH/);
  });

  it('opens a challenge from an evidence file, and refuses malformed evidence before sending anything', async () => {
    const good = join(dir, 'evidence.json');
    writeFileSync(good, JSON.stringify(bundle.evidence));
    const opened = await run('challenge', 'open', '--epoch', '1', '--evidence', good, '--bond', '700');
    assert.equal(opened.code, 0, opened.err);
    const sent = api.requests.at(-1)!;
    assert.equal(sent.path, '/v1/challenges');
    assert.deepEqual(sent.body, {
      target: { kind: 'settlement', epoch_id: 1 },
      evidence: bundle.evidence,
      bond: '700',
    });
    const count = api.requests.length;
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ kind: 'replay_output', task_id: 'tsk_cli' }));
    const refused = await run('challenge', 'open', '--task', 'tsk_cli', '--evidence', bad);
    assert.equal(refused.code, 2, refused.err);
    assert.match(refused.err, /not valid challenge evidence/);
    assert.equal(api.requests.length, count, 'nothing was sent');
    const reopen = await run('challenge', 'reopen', 'chl_equivocation', '--evidence', good);
    assert.notEqual(reopen.code, 0);
    assert.deepEqual(api.requests.at(-1)!.body, { evidence: bundle.evidence });
    assert.match(reopen.err, /challenge_refused|closed with a penalty/);
  });
});
