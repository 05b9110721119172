/**
 * Starts `symphony up` (the real CLI: embedded network, HTTP API and the console at /console) in a
 * child process on a free port, with its own data folder and key home; stops it with SIGINT.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..', '..');

export type RunningNetwork = { url: string; keyFile(actor: string): string; stop(): Promise<void> };

export async function symphonyUp(extraArgs: readonly string[] = []): Promise<RunningNetwork> {
  const home = mkdtempSync(join(tmpdir(), 'console-up-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(root, 'packages/cli/bin/symphony.mjs'),
      'up',
      '--json',
      '--quiet',
      '--port',
      '0',
      '--data',
      join(home, 'data'),
      ...extraArgs,
    ],
    { cwd: root, env: { ...process.env, SYMPHONY_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /"url":\s*"([^"]+)"/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`symphony up exited ${code}: ${err}`)));
  });
  return {
    url,
    keyFile: (actor) => join(home, 'keys', `${actor}.json`),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGINT');
        await exited;
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
