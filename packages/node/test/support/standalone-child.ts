/**
 * Runs the standalone network in its own process for restart tests: `node --import tsx
 * standalone-child.ts DATA_DIR`. Seeds a fresh data folder from the PGlite template (initdb is
 * slow), prints `{"url": ...}` once serving, and closes gracefully on SIGTERM.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startStandalone } from '../../src/roles/standalone.ts';
import { openTestPglite } from './pglite.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: standalone-child.ts DATA_DIR');
if (!existsSync(join(dataDir, 'pglite'))) await (await openTestPglite({ dataDir: join(dataDir, 'pglite') })).close();
const network = await startStandalone({ dataDir, port: 0 });
process.stdout.write(`${JSON.stringify({ url: network.url })}\n`);
process.on('SIGTERM', () => {
  void network.close().then(() => process.exit(0));
});
