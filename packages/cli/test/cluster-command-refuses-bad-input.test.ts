/**
 * `symphony node` refuses a bad config before starting anything, naming the field (exit 2);
 * `symphony cluster status|down` on a folder without a cluster say so (exit 2) and signal nothing.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../src/program.ts';
import { argv, captureIo } from './support/capture-io.ts';

describe('symphony node and cluster: bad input', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scs-cli-cluster-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a node config with a wrong field, naming it', async () => {
    const file = join(dir, 'node.json');
    await writeFile(
      file,
      JSON.stringify({
        node_id: 'node_master-1',
        role: 'master',
        operator: 'act_master-1',
        identity_dir: 'keys',
        database_url: 'postgres://postgres@127.0.0.1:5432/x',
        nats_url: 'nats://127.0.0.1:4222',
        network: 'n',
        listen: { host: '127.0.0.1', port: 99999 },
      }),
    );
    const io = captureIo();
    assert.equal(await runCli(argv('node', '--role', 'master', '--config', file), io), 2);
    assert.match(io.err(), /listen\.port/);
    const mismatch = captureIo();
    assert.equal(await runCli(argv('node', '--role', 'enterprise', '--config', file), mismatch), 2);
  });

  it('says there is no cluster in a folder without a pid file', async () => {
    for (const command of ['status', 'down']) {
      const io = captureIo();
      assert.equal(await runCli(argv('cluster', command, '--dir', dir), io), 2);
      assert.match(io.err(), /no cluster in/);
    }
  });
});
