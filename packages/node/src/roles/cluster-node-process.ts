/**
 * Runs one cluster node as this process until SIGTERM or SIGINT: structured JSON logs (pino) on
 * stdout, graceful shutdown on the first signal (exit 0), immediate exit on a second one.
 * `symphony node --role R --config FILE` and `cluster-node-main.ts` both call it.
 */
import pino from 'pino';
import { readClusterConfig } from './cluster-config.ts';
import { startClusterNode } from './cluster-node.ts';

const PROBES = new Set(['/readyz', '/healthz', '/metrics', '/statez']);

/** Starts the node; resolves once it serves. The process exits when the node has shut down. */
export async function runClusterNodeProcess(configFile: string, role?: string): Promise<void> {
  const logger = pino({
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    hooks: {
      // Probes (peers poll /readyz every second) answered fine are not worth a line each.
      logMethod(args, method) {
        const line = args[0] as { route?: string; status?: number } | undefined;
        if (line && PROBES.has(line.route ?? '') && (line.status ?? 500) < 400) return;
        method.apply(this, args);
      },
    },
  });
  const config = await readClusterConfig(configFile, role);
  const node = await startClusterNode(config, logger);
  let signals = 0;
  const stop = (signal: string) => {
    signals++;
    if (signals > 1) process.exit(1);
    logger.info({ node_id: config.node_id, signal }, 'signal received');
    node.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ node_id: config.node_id, err: String(error) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
