import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ChallengeReplayBundle } from '@symphony/api';
import { challengeOf, runChallenge } from '../../protocol/test/support/challenge-flow.ts';
import { fakeDigest } from '../../protocol/test/support/network-fixture.ts';
import { actorDecision, executeTask, verificationNetwork } from '../../protocol/test/support/verification-network.ts';
import { runCli } from '../src/program.ts';
import { argv, captureIo } from './support/capture-io.ts';
import { type FakeApi, startFakeApi } from './support/fake-api.ts';

/** A decided challenge from a real log: a watcher's replay claim that independent re-execution disproved. */
function decidedBundle(): ChallengeReplayBundle {
  const net = verificationNetwork();
  const receipt = executeTask(net, 'tsk_cli', 'vlt_a1', fakeDigest('output/tsk_cli'));
  const a = net.state.tasks.tsk_cli!.verification_assignment!;
  net.must({ type: 'verification_decided', decision: actorDecision(net, 'tsk_cli', a.verifier!, 'accepted') });
  net.closeEpoch();
  const evidence = {
    kind: 'replay_output' as const,
    task_id: 'tsk_cli',
    attempt: 1,
    output_hash: fakeDigest('claimed'),
    transcript_hash: fakeDigest('claimed transcript'),
  };
  const findings = {
    receipt,
    reexecution: { output_hash: receipt.output_hash, transcript_hash: receipt.transcript_hash },
  };
  runChallenge(net, challengeOf('chl_cli', { kind: 'task', task_id: 'tsk_cli' }, evidence), evidence, findings);
  return { challenge_id: 'chl_cli', evidence, findings, entries: net.entries };
}

describe('challenge commands', () => {
  let api: FakeApi;
  const bundle = decidedBundle();
  let tampered = false;
  const dir = mkdtempSync(join(tmpdir(), 'scs-cli-challenge-'));

  before(async () => {
    api = await startFakeApi({
      'GET /v1/challenges/chl_cli/replay': () => ({
        body: tampered
          ? {
              ...bundle,
              findings: {
                ...bundle.findings,
                reexecution: { output_hash: 'a'.repeat(64), transcript_hash: 'b'.repeat(64) },
              },
            }
          : bundle,
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
    const { code, out } = await run('challenge', 'replay', 'chl_cli');
    assert.equal(code, 0, out);
    assert.match(out, /outcome\s+not_confirmed \(reexecution_matches_receipt\)/);
    assert.match(out, /the replay reproduces the logged decision/);
  });

  it('exits 1 when the findings do not reproduce the logged decision', async () => {
    tampered = true;
    const { code, out } = await run('challenge', 'replay', 'chl_cli');
    tampered = false;
    assert.equal(code, 1, out);
    assert.match(out, /MISMATCH/);
    assert.match(out, /outcome\s+confirmed \(output_mismatch\)/);
  });

  it('opens a challenge from an evidence file, and refuses malformed evidence before sending anything', async () => {
    const good = join(dir, 'evidence.json');
    writeFileSync(good, JSON.stringify(bundle.evidence));
    const opened = await run('challenge', 'open', '--task', 'tsk_cli', '--evidence', good, '--bond', '700');
    assert.equal(opened.code, 0, opened.err);
    const sent = api.requests.at(-1)!;
    assert.equal(sent.path, '/v1/challenges');
    assert.deepEqual(sent.body, {
      target: { kind: 'task', task_id: 'tsk_cli' },
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
  });
});
