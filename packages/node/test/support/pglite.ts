/**
 * PGlite for tests without paying initdb (several seconds of CPU) per instance: a freshly
 * initialized data directory is dumped once per machine and PGlite version into
 * `node_modules/.cache/scs-test/` (gitignored, wiped by `npm ci`), and every test instance loads
 * that tarball instead, in about a second. Parallel test processes build it once, under a lock.
 */
import { readFileSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { delay } from './wait.ts';

const cacheDir = join(import.meta.dirname, '..', '..', '..', '..', 'node_modules', '.cache', 'scs-test');
// The package does not export its package.json; its entry point sits in `dist/` next to it.
const pgliteManifest = new URL('../package.json', import.meta.resolve('@electric-sql/pglite'));
const pgliteVersion: string = JSON.parse(readFileSync(pgliteManifest, 'utf8')).version;
const templateFile = join(cacheDir, `pglite-${pgliteVersion}.tar.gz`);
const lockFile = `${templateFile}.lock`;
const STALE_LOCK_MS = 120_000;

let template: Promise<Blob> | undefined;

/** Opens a PGlite store (in memory, or on disk in `dataDir`) from the cached template. */
export async function openTestPglite(opts: { dataDir?: string } = {}): Promise<PgliteStore> {
  return PgliteStore.open({ ...opts, loadDataDir: await pgliteTemplate() });
}

/** The template tarball, built on first use on this machine. */
export function pgliteTemplate(): Promise<Blob> {
  template ??= loadOrBuild();
  return template;
}

async function loadOrBuild(): Promise<Blob> {
  await mkdir(cacheDir, { recursive: true });
  for (;;) {
    try {
      return new Blob([await readFile(templateFile)], { type: 'application/x-gzip' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    let lock: Awaited<ReturnType<typeof open>>;
    try {
      lock = await open(lockFile, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const since = await stat(lockFile).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (since > STALE_LOCK_MS) await rm(lockFile, { force: true });
      else await delay(200);
      continue;
    }
    try {
      const store = await PgliteStore.open();
      let dump: Blob;
      try {
        dump = await store.dumpDataDir('gzip');
      } finally {
        await store.close();
      }
      const tmp = `${templateFile}.${process.pid}.tmp`;
      await writeFile(tmp, Buffer.from(await dump.arrayBuffer()));
      await rename(tmp, templateFile);
    } finally {
      await lock.close();
      await rm(lockFile, { force: true });
    }
  }
}
