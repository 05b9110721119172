/**
 * The SDK README's program, run as a user would: `symphony up` in a child process, then the
 * program (the exact file the README shows) in another, ending with a verified inclusion proof.
 * Then the same network checks the SDK's route table against the server's OpenAPI document and
 * the offline verifiers on real settlement data: certificates, proofs and payout claims, and
 * that tampered ones fail.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  type RewardsPayout,
  ROUTES,
  SymphonyClient,
  settlementProofFromView,
  verifyQuorumCertificate,
  verifyRewardsPayout,
  verifySettlementProof,
} from '../src/index.ts';
import { signerFromKeyFile } from '../src/node.ts';
import { type RunningNetwork, symphonyUp } from '../src/testing/symphony-up.ts';

const sdkDir = join(import.meta.dirname, '..');
const programFile = join(sdkDir, 'examples', 'readme-program.ts');
let network: RunningNetwork;
let programOut = '';

before(async () => {
  network = await symphonyUp();
});
after(async () => {
  await network?.stop();
});

test('the README shows the program file verbatim', () => {
  const readme = readFileSync(join(sdkDir, 'README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'the README has a ts block');
  assert.equal(block[1], readFileSync(programFile, 'utf8'));
});

test('the README program runs against symphony up and ends with a verified inclusion proof', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', programFile], {
    cwd: sdkDir,
    env: { ...process.env, SYMPHONY_URL: network.url, SYMPHONY_KEY_FILE: network.keyFile() },
    encoding: 'utf8',
    timeout: 240_000,
  });
  programOut = run.stdout;
  assert.equal(run.status, 0, `the program failed:\n${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /ingested 120 records/);
  assert.match(run.stdout, /: awaiting_settlement/);
  // Both cities rest on 20 subjects each (over k_min), so both groups are released.
  const released = /^result (\{.*\}) /m.exec(run.stdout);
  assert.ok(released, 'the program prints the result');
  const rows = (JSON.parse(released[1]!) as { rows: { group: { city: string } }[] }).rows;
  assert.deepEqual(rows.map((r) => r.group.city).sort(), ['Bangkok', 'Singapore']);
  assert.match(run.stdout, /: finalized/);
  assert.match(run.stdout, /inclusion proof verified: leaf \d+ of \d+ under root [0-9a-f]{64}/);
});

test('ROUTES names every route of the server and no other', async () => {
  const client = new SymphonyClient({ baseUrl: network.url });
  const doc = await client.call<{ paths: Record<string, Record<string, { operationId: string }>> }>('getOpenApi');
  const served = new Map<string, string>();
  for (const [path, methods] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(methods))
      served.set(op.operationId, `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
  const ours = new Map(Object.entries(ROUTES).map(([id, r]) => [id, `${r.method} ${r.path}`]));
  assert.deepEqual([...ours].sort(), [...served].sort());
});

test('offline verification on the settled epoch: proof, certificate and payout claims hold, tampered ones fail', async () => {
  assert.match(programOut, /inclusion proof verified/, 'needs the program to have settled an epoch');
  const client = new SymphonyClient({ baseUrl: network.url, signer: signerFromKeyFile(network.keyFile()) });
  const { masters } = await client.getNetwork();
  const epochs = await client.listEpochs();
  const settled = epochs.epochs.find((e) => e.settlement_state === 'finalized');
  assert.ok(settled, 'an epoch is finalized');
  const view = await client.getSettlement(settled.epoch_id);
  const qc = view.quorum_certificate;
  assert.ok(qc);

  assert.equal(verifyQuorumCertificate(qc, masters).ok, true);
  const forged = {
    ...qc,
    signatures: qc.signatures.map((s, i) => (i === 0 ? { ...s, signature: 'ab'.repeat(64) } : s)),
  };
  assert.equal(verifyQuorumCertificate(forged, masters).ok, false);

  // The proof the client builds from the whole settlement equals the one the route serves.
  const taskId = view.entries[0]!.task_id;
  const served = await client.getSettlementProof(settled.epoch_id, taskId);
  assert.deepEqual(settlementProofFromView(view, taskId), served);
  assert.equal(verifySettlementProof(served, masters).ok, true);
  const altered = { ...served, entry: { ...served.entry, fee: '999999' } };
  assert.equal(verifySettlementProof(altered, masters).ok, false);

  const { rewards } = await client.listRewards({ epochId: settled.epoch_id });
  assert.ok(rewards.length > 0);
  const accounts = [...new Set(rewards.map((r) => r.account))];
  for (const account of accounts) {
    const amount = rewards
      .filter((r) => r.account === account && r.amount !== undefined)
      .reduce((sum, r) => sum + BigInt(r.amount!), 0n)
      .toString();
    const claim: RewardsPayout = { epoch_id: settled.epoch_id, account, amount };
    assert.deepEqual(verifyRewardsPayout(claim, rewards, qc), { ok: true, problems: [] }, account);
    const greedy = verifyRewardsPayout({ ...claim, amount: (BigInt(amount) + 1n).toString() }, rewards, qc);
    assert.equal(greedy.ok, false);
  }
  const dropped = verifyRewardsPayout(
    { epoch_id: settled.epoch_id, account: accounts[0]!, amount: '0' },
    rewards.slice(1),
    qc,
  );
  assert.equal(dropped.ok, false, 'a missing record breaks the signed rewards root');
});
