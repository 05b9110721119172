/**
 * The standalone role: a whole network in one process on one data folder (embedded PGlite under
 * `<dataDir>/pglite`, node keys under `<dataDir>/keys`), with the API edge of the coordinating
 * master served over HTTP. Restarting on the same folder folds the log again and resumes work.
 * With two threads, the pipeline (the other masters and the enterprise nodes, with the Vaults)
 * runs in a worker thread on its own PGlite under `<dataDir>/pglite-pipeline`.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { FileKeyring } from '../adapters/file-keyring.ts';
import { PgliteStore } from '../adapters/pglite-store.ts';
import { createHttpServer } from '../application/http-server.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from './embedded-network.ts';
import { EMBEDDED_TOPOLOGY, type TopologyActor } from './network-topology.ts';

export type StandaloneOptions = {
  dataDir: string;
  /** API port; 0 picks a free one (default 7070). */
  port?: number;
  /** API host (default 127.0.0.1). */
  host?: string;
  logger?: false | Logger;
  onProgress?: (step: string) => void;
  /** Per Vault: SHA-256 code hashes of Compute programs its operator approves. */
  approvedPrograms?: Record<string, string[]>;
  /** Actors (with their public keys) registered when the data folder's log is new; requests are signed by them. */
  actors?: TopologyActor[];
  /** Request signature checking: on unless `false` (never turn it off outside benchmarks). */
  authentication?: false;
  /** The web console's build folder, served at `/console`. */
  consoleRoot?: string;
  /**
   * 2: the pipeline runs in a worker thread on `<dataDir>/pglite-pipeline` (a second core, a
   * second ~200 MB PGlite); 1: every node on the main thread in `<dataDir>/pglite`. A data folder
   * keeps the layout it was created with (its Vaults live in one store or the other): by default
   * a new folder gets 1, an existing one what it has; asking for the other layout is refused.
   */
  threads?: 1 | 2;
};

/** The PGlite folder of the pipeline worker, under a standalone data folder. */
export const PIPELINE_PGLITE = 'pglite-pipeline';

/** The thread layout of a data folder: what it was created with, or `wanted` (default 1) for a new one. */
export function threadLayout(dataDir: string, wanted?: 1 | 2): 1 | 2 {
  const threaded = existsSync(join(dataDir, PIPELINE_PGLITE));
  const existing = threaded ? 2 : existsSync(join(dataDir, 'pglite')) ? 1 : undefined;
  if (existing !== undefined && wanted !== undefined && wanted !== existing)
    throw new Error(
      `the data folder ${dataDir} was created with ${existing} thread(s) (its Vaults live in ${existing === 2 ? PIPELINE_PGLITE : 'pglite'}); it cannot run with ${wanted}`,
    );
  return existing ?? wanted ?? 1;
}

export type StandaloneNetwork = {
  url: string;
  dataDir: string;
  network: EmbeddedNetwork;
  /** Stops taking requests, lets running steps finish, then closes the network and the database. */
  close(): Promise<void>;
};

export async function startStandalone(options: StandaloneOptions): Promise<StandaloneNetwork> {
  const progress = options.onProgress ?? (() => {});
  const threads = threadLayout(options.dataDir, options.threads);
  await mkdir(options.dataDir, { recursive: true });
  // The pipeline's folder is made first: it marks the layout even if this start is interrupted.
  if (threads === 2) await mkdir(join(options.dataDir, PIPELINE_PGLITE), { recursive: true });
  progress(
    `opening the embedded database${threads === 2 ? 's (main thread and pipeline thread)' : ''} (the first start of a data folder initializes ${threads === 2 ? 'them' : 'it'}: ~10 s)`,
  );
  const store = await PgliteStore.open({ dataDir: join(options.dataDir, 'pglite') });
  const logger = options.logger ?? false;
  const approved = options.approvedPrograms;
  const network = await openEmbeddedNetwork({
    store,
    ...(approved
      ? {
          topology: {
            ...EMBEDDED_TOPOLOGY,
            enterprises: EMBEDDED_TOPOLOGY.enterprises.map((e) => ({
              ...e,
              approved_programs: Object.fromEntries(e.vault_ids.map((v) => [v, approved[v] ?? []])),
            })),
          },
        }
      : {}),
    keyring: new FileKeyring({ dataDir: options.dataDir }),
    ...(threads === 2 ? { pipelineThread: { store: { dataDir: join(options.dataDir, PIPELINE_PGLITE) } } } : {}),
    onProgress: progress,
    ...(options.actors ? { actors: options.actors } : {}),
    ...(logger
      ? {
          onError: (what: string, error: unknown) =>
            logger.warn({ what, code: (error as { code?: string }).code }, 'retrying'),
        }
      : {}),
  });
  progress('starting the API');
  const http = await createHttpServer(network.coordinator.service, {
    logger,
    ...(options.authentication === false ? { authentication: false as const } : {}),
    ...(options.consoleRoot ? { console: { root: options.consoleRoot } } : {}),
  });
  const url = await http.listen({ port: options.port ?? 7070, host: options.host ?? '127.0.0.1' });
  let closing: Promise<void> | undefined;
  return {
    url,
    dataDir: options.dataDir,
    network,
    close() {
      closing ??= (async () => {
        await http.close();
        await network.close();
        await store.close();
      })();
      return closing;
    },
  };
}
