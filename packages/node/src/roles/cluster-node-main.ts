/**
 * Process entry of a cluster node (what `symphony cluster up` spawns):
 * `node --import tsx cluster-node-main.ts --role master|enterprise --config FILE`.
 */
import { runClusterNodeProcess } from './cluster-node-process.ts';

const args = process.argv.slice(2);
const value = (flag: string) => {
  const at = args.indexOf(flag);
  return at >= 0 ? args[at + 1] : undefined;
};
const config = value('--config');
if (!config) {
  process.stderr.write('usage: cluster-node-main.ts --role master|enterprise --config FILE\n');
  process.exit(2);
}
try {
  await runClusterNodeProcess(config, value('--role'));
} catch (error) {
  process.stderr.write(
    `${JSON.stringify({ level: 50, msg: 'node failed to start', err: String(error), code: (error as { code?: string }).code })}\n`,
  );
  process.exit(1);
}
