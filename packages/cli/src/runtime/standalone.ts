/**
 * The embedded network (`@symphony/node`'s standalone role), loaded on demand so that commands that
 * only talk HTTP never load the runtime (PGlite, fastify).
 */
import type { StandaloneNetwork, StandaloneOptions } from '@symphony/node/roles/standalone.ts';

/** The runtime's own option and handle types. */
export type { StandaloneNetwork, StandaloneOptions };

/** Starts the whole network (3 masters, enterprise nodes, the HTTP API) in this process. */
export type StartStandalone = (
  options: StandaloneOptions,
) => Promise<Pick<StandaloneNetwork, 'url' | 'dataDir' | 'close'>>;

/** Imports the runtime's `startStandalone`. */
export async function loadStandalone(): Promise<StartStandalone> {
  const module = await import('@symphony/node/roles/standalone.ts');
  return module.startStandalone;
}
