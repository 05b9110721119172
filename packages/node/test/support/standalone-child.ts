/**
 * Runs the standalone network in its own process for restart tests: `node --import tsx
 * standalone-child.ts DATA_DIR`. Seeds a fresh data folder from the PGlite template (initdb is
 * slow), registers `act_restart-test` (key from `actorKey`) on a new log, prints `{"url": ...}` once
 * serving, and closes gracefully on SIGTERM. With `SCS_STANDALONE_THREADS=2` in its environment,
 * the pipeline runs in a worker thread (both stores seeded).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PIPELINE_PGLITE, startStandalone } from '../../src/roles/standalone.ts';
import { openTestPglite } from './pglite.ts';
import { actorKey } from './signed-requests.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: standalone-child.ts DATA_DIR');
const threads = process.env.SCS_STANDALONE_THREADS === '2' ? 2 : 1;
for (const folder of threads === 2 ? ['pglite', PIPELINE_PGLITE] : ['pglite'])
  if (!existsSync(join(dataDir, folder))) await (await openTestPglite({ dataDir: join(dataDir, folder) })).close();
/** The actor the restart tests sign as (its key is derived from its id, so the test derives it too). */
const tester = actorKey('act_restart-test');
const network = await startStandalone({
  dataDir,
  port: 0,
  threads,
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
