/**
 * Runs the standalone network in its own process for restart tests: `node --import tsx
 * standalone-child.ts DATA_DIR`. Seeds a fresh data folder from the PGlite template (initdb is
 * slow), registers `act_restart-test` (key from `actorKey`) on a new log, prints `{"url": ...}` once
 * serving, and closes gracefully on SIGTERM.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startStandalone } from '../../src/roles/standalone.ts';
import { openTestPglite } from './pglite.ts';
import { actorKey } from './signed-requests.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: standalone-child.ts DATA_DIR');
if (!existsSync(join(dataDir, 'pglite'))) await (await openTestPglite({ dataDir: join(dataDir, 'pglite') })).close();
/** The actor the restart tests sign as (its key is derived from its id, so the test derives it too). */
const tester = actorKey('act_restart-test');
const network = await startStandalone({
  dataDir,
  port: 0,
  actors: [
    {
      actor_id: tester.keyid,
      roles: ['data_producer', 'governance', 'task_submitter'],
      public_key: tester.publicKeyHex,
      balance: '1000000000000',
      grants: 'all',
    },
  ],
});
process.stdout.write(`${JSON.stringify({ url: network.url })}\n`);
process.on('SIGTERM', () => {
  void network.close().then(() => process.exit(0));
});
