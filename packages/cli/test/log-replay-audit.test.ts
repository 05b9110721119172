/**
 * Assurance after a demo-sized run: `symphony log export` then `symphony replay` on a new data
 * folder reproduces every checkpoint (state hashes, settlement roots, reward ledger); one altered
 * byte of the export makes replay fail naming the entry; `symphony audit epoch N` passes on the
 * clean run and fails, naming the cause, after a deleted reward record, a changed fee, a
 * forged payout claim and a forged payout batch in the node's recorded accounting.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type StandaloneNetwork, startStandalone } from '@symphony/node/roles/standalone.ts';
import { ApiClient } from '../src/api-client.ts';
import type { ApiClientError } from '../src/api-client-error.ts';
import { KeyStore } from '../src/keys/key-store.ts';
import { DEMO_ACTOR } from '../src/keys/local-actors.ts';
import { runCli } from '../src/program.ts';
import { argv, captureIo } from './support/capture-io.ts';

describe('log export, replay and audit after a demo-sized run', { timeout: 600_000 }, () => {
  let dir: string;
  let net: StandaloneNetwork | undefined;
  let env: Record<string, string>;
  let epoch = 0;
  let exportFile = '';

  const cli = async (...args: string[]) => {
    const io = captureIo({ env, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))) });
    const code = await runCli(argv('--api', net!.url, '--as', DEMO_ACTOR, ...args), io);
    return { code, out: io.out(), err: io.err() };
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'symphony-assure-'));
    env = { SYMPHONY_HOME: join(dir, 'node', 'cli'), NO_COLOR: '1' };
    const io = captureIo({ env, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) });
    const code = await runCli(argv('demo', '--data', join(dir, 'node'), '--subjects', '24', '--receipts', '4'), io, {
      loadStandalone: async () => async (options) => {
        net = await startStandalone(options);
        // Keep the network up after the demo: the test exports, audits and tampers with it.
        return { url: net.url, dataDir: net.dataDir, close: async () => {} };
      },
    });
    assert.equal(code, 0, `${io.out()}\n${io.err()}`);
    const finalized = Object.values(net!.network.coordinator.follower.state.settlements).filter(
      (s) => s.state === 'finalized',
    );
    assert.ok(finalized.length > 0, 'the demo finalized an epoch');
    epoch = Math.max(...finalized.map((s) => s.epoch_id));
    const anchor = net!.network.coordinator.anchor;
    for (let i = 0; i < 200 && !(await anchor.read(epoch)); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(await anchor.read(epoch), 'the finalized epoch is anchored');
  });

  after(async () => {
    await net?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('exports the log and a fresh node replays it to the same state hashes, roots and ledgers', async () => {
    exportFile = join(dir, 'network.ndjson');
    const exported = await cli('log', 'export', '--out', exportFile);
    assert.equal(exported.code, 0, exported.err);
    const lines = (await readFile(exportFile, 'utf8')).trimEnd().split('\n');
    const head = JSON.parse(lines.at(-1)!).head;
    const state = net!.network.coordinator.follower.state;
    assert.ok(head.seq <= state.head!.seq);
    assert.ok(
      lines.some((l) => l.startsWith('{"checkpoint"')),
      'checkpoints are exported',
    );

    const replayed = await cli('replay', '--from', exportFile, '--data', join(dir, 'replayed'));
    assert.equal(replayed.code, 0, `${replayed.out}\n${replayed.err}`);
    assert.match(replayed.out, new RegExp(`state hash ${head.state_hash}`));
    const cert = state.settlements[epoch]!.certificate!.statement;
    assert.match(
      replayed.out,
      new RegExp(
        `epoch ${epoch}: finalized, settlement root ${cert.settlement_root}, rewards root ${cert.rewards_root}`,
      ),
    );
    assert.match(replayed.out, new RegExp(`reward ledger ${head.reward_ledger_hash}`));
    assert.match(replayed.err, /entries \(\d+%/, 'progress is shown');
  });

  it('one altered byte of the export makes replay fail and name the entry', async () => {
    const lines = (await readFile(exportFile, 'utf8')).split('\n');
    const index = lines.findIndex((l) => l.includes('"type":"task_admitted"'));
    const seq = JSON.parse(lines[index]!).seq as number;
    const at = lines[index]!.indexOf('"max_fee":"') + '"max_fee":"'.length;
    const line = lines[index]!;
    lines[index] = line.slice(0, at) + (line[at] === '9' ? '8' : '9') + line.slice(at + 1);
    const altered = join(dir, 'altered.ndjson');
    await writeFile(altered, lines.join('\n'));
    const replayed = await cli('replay', '--from', altered, '--data', join(dir, 'replayed-altered'));
    assert.equal(replayed.code, 1);
    assert.match(replayed.err, new RegExp(`replay failed at entry ${seq}: chain_broken`));
    assert.match(replayed.err, new RegExp(`entry ${seq} \\(line ${index + 1}\\) breaks the hash chain: bad_hash`));
  });

  it('the assurance routes refuse bad input naming the field, and unfinalized epochs', async () => {
    const signer = new KeyStore(join(dir, 'node', 'cli', 'keys')).load(DEMO_ACTOR);
    const client = new ApiClient({ baseUrl: net!.url, ...(signer ? { signer } : {}) });
    await assert.rejects(client.logPage(0, 6000), (e: ApiClientError) => e.status === 400 && e.field === '/limit');
    const open = net!.network.coordinator.follower.state.current_epoch;
    await assert.rejects(client.epochAccounting(open), (e: ApiClientError) => e.code === 'not_found');
    await assert.rejects(client.epochAnchor(open), (e: ApiClientError) => e.code === 'not_found');
    const page = await client.logPage(0, 3);
    assert.deepEqual(
      page.entries.map((e) => e.seq),
      [0, 1, 2],
    );
    assert.equal(page.head, undefined);
  });

  it('audit passes on the clean run', async () => {
    const audit = await cli('audit', 'epoch', String(epoch));
    assert.equal(audit.code, 0, `${audit.out}\n${audit.err}`);
    assert.match(audit.out, /audit passed/);
    const counts = /(\d+) settled, (\d+) semantic resolutions re-derived/.exec(audit.out);
    assert.ok(counts && Number(counts[1]) > 0 && Number(counts[2]) === Number(counts[1]), audit.out);
    assert.match(audit.out, /fees\s+escrowed (\d+) = rewards (\d+) \+ treasury (\d+) \+ refunds (\d+)/);
    assert.match(audit.out, /anchor\s+ledger [0-9a-f]{64}/);
    assert.match(audit.out, /batches\s+[1-9]\d* \(claims roots rebuilt from the intents\), 0 executed paying 0/);
    const fromFile = await cli('audit', 'epoch', String(epoch), '--from', exportFile);
    assert.equal(fromFile.code, 0, fromFile.err);
  });

  it('audit fails naming the cause after a deleted reward record, a changed fee and a forged payout claim', async () => {
    const book = net!.network.coordinator.accounting;
    const q = book.store.query;
    const T = book.table;
    const [reward] = await q<{ id: string; body: unknown }>(
      `select id, body from ${T} where kind = 'reward' and epoch_id = $1 order by id limit 1`,
      [epoch],
    );
    assert.ok(reward);

    await q(`delete from ${T} where kind = 'reward' and id = $1`, [reward.id]);
    const deleted = await cli('audit', 'epoch', String(epoch));
    assert.equal(deleted.code, 1);
    assert.match(deleted.err, new RegExp(`audit failed: reward_missing \\(reward ${reward.id}\\)`));
    assert.match(deleted.err, /rewards_root_mismatch/);
    await q(`insert into ${T} (kind, id, epoch_id, body) values ('reward', $1, $2, $3::jsonb)`, [
      reward.id,
      epoch,
      JSON.stringify(reward.body),
    ]);
    assert.equal((await cli('audit', 'epoch', String(epoch))).code, 0, 'restored');

    const [entry] = await q<{ id: string; body: { fee: string } }>(
      `select id, body from ${T} where kind = 'entry' and epoch_id = $1 order by id limit 1`,
      [epoch],
    );
    assert.ok(entry);
    const changedFee = String(BigInt(entry.body.fee) + 1n);
    await q(`update ${T} set body = jsonb_set(body, '{fee}', to_jsonb($2::text)) where kind = 'entry' and id = $1`, [
      entry.id,
      changedFee,
    ]);
    const fee = await cli('audit', 'epoch', String(epoch));
    assert.equal(fee.code, 1);
    assert.match(fee.err, new RegExp(`audit failed: entry_changed \\(entry ${entry.id}\\)`));
    assert.match(fee.err, new RegExp(`fee: recorded "${changedFee}", log derives "${entry.body.fee}"`));
    assert.match(fee.err, /settlement_root_mismatch/);
    await q(`update ${T} set body = $2::jsonb where kind = 'entry' and id = $1`, [
      entry.id,
      JSON.stringify(entry.body),
    ]);

    const forged = {
      schema_version: 1,
      intent_id: `pay_${'f'.repeat(32)}`,
      epoch_id: epoch,
      account: 'act_mallory',
      amount: '1000000',
      reward_ids_hash: 'a'.repeat(64),
      reward_count: 1,
      state: 'pending',
    };
    await q(`insert into ${T} (kind, id, epoch_id, body) values ('payout', $1, $2, $3::jsonb)`, [
      forged.intent_id,
      epoch,
      JSON.stringify(forged),
    ]);
    const claim = await cli('audit', 'epoch', String(epoch));
    assert.equal(claim.code, 1);
    assert.match(claim.err, new RegExp(`audit failed: payout_forged \\(payout ${forged.intent_id}\\)`));
    assert.match(claim.err, /act_mallory, who has no finalized reward/);
    await q(`delete from ${T} where kind = 'payout' and id = $1`, [forged.intent_id]);
    assert.equal((await cli('audit', 'epoch', String(epoch))).code, 0, 'restored');
  });

  it('audit fails naming the batch after a forged payout batch or a changed claims root', async () => {
    const book = net!.network.coordinator.accounting;
    const q = book.store.query;
    const T = book.table;
    const [batch] = await q<{ id: string; body: Record<string, unknown> }>(
      `select id, body from ${T} where kind = 'batch' and epoch_id = $1 order by id limit 1`,
      [epoch],
    );
    assert.ok(batch, 'the finalized epoch recorded its payout batches');
    const logBatch = net!.network.coordinator.follower.state.payout_batches![batch.id]!;
    assert.equal(batch.body.claims_root, logBatch.claims_root);

    const forgedId = `pbt_${epoch}-99`;
    const forged = { ...batch.body, batch_id: forgedId, index: 99, total: '1000000', claims_root: 'e'.repeat(64) };
    await q(`insert into ${T} (kind, id, epoch_id, body) values ('batch', $1, $2, $3::jsonb)`, [
      forgedId,
      epoch,
      JSON.stringify(forged),
    ]);
    const extra = await cli('audit', 'epoch', String(epoch));
    assert.equal(extra.code, 1);
    assert.match(extra.err, new RegExp(`audit failed: payout_batch_forged \\(batch ${forgedId}\\)`));
    assert.match(extra.err, /not derivable from the log/);
    await q(`delete from ${T} where kind = 'batch' and id = $1`, [forgedId]);

    await q(
      `update ${T} set body = jsonb_set(body, '{claims_root}', to_jsonb($2::text)) where kind = 'batch' and id = $1`,
      [batch.id, 'd'.repeat(64)],
    );
    const root = await cli('audit', 'epoch', String(epoch));
    assert.equal(root.code, 1);
    assert.match(root.err, new RegExp(`audit failed: payout_batch_forged \\(batch ${batch.id}\\)`));
    assert.match(root.err, new RegExp(`claims_root: "${'d'.repeat(64)}" vs "${logBatch.claims_root}"`));
    await q(`update ${T} set body = $2::jsonb where kind = 'batch' and id = $1`, [
      batch.id,
      JSON.stringify(batch.body),
    ]);

    // An intent moved to another amount: the claims root rebuilt from the intents no longer matches the log's batch.
    const [intent] = await q<{ id: string; body: { amount: string; batch_id: string } }>(
      `select id, body from ${T} where kind = 'payout' and epoch_id = $1 and body->>'batch_id' = $2 order by id limit 1`,
      [epoch, batch.id],
    );
    assert.ok(intent);
    await q(
      `update ${T} set body = jsonb_set(body, '{amount}', to_jsonb($2::text)) where kind = 'payout' and id = $1`,
      [intent.id, String(BigInt(intent.body.amount) + 7n)],
    );
    const claims = await cli('audit', 'epoch', String(epoch));
    assert.equal(claims.code, 1);
    assert.match(
      claims.err,
      new RegExp(`payout_batch_mismatch batch ${batch.id}: rebuilt from the intents vs the log: .*claims_root`),
    );
    await q(`update ${T} set body = $2::jsonb where kind = 'payout' and id = $1`, [
      intent.id,
      JSON.stringify(intent.body),
    ]);
    assert.equal((await cli('audit', 'epoch', String(epoch))).code, 0, 'restored');
  });
});
