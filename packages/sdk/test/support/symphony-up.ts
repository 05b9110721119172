/**
 * Starts `symphony up` (the real CLI, the embedded network over HTTP) in a child process on a free
 * port with its own data folder and key home, and stops it with SIGINT.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..', '..');

export type RunningNetwork = { url: string; home: string; keyFile: string; stop(): Promise<void> };

/** `symphony up --json --port 0`; resolves once it printed its URL. */
export async function symphonyUp(actor = 'act_local'): Promise<RunningNetwork> {
  const home = mkdtempSync(join(tmpdir(), 'sdk-up-'));
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
    ],
    {
      cwd: root,
      env: { ...process.env, SYMPHONY_HOME: home, SYMPHONY_ACTOR: actor },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
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
    home,
    keyFile: join(home, 'keys', `${actor}.json`),
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
