/**
 * Test support (`@symphony/sdk/testing`): starts `symphony up` (this repository's CLI: the embedded
 * network, its HTTP API and the console at /console) in a child process on a free port, with its
 * own data folder and key home, and stops it with SIGINT. The SDK's tests and the console's
 * end-to-end tests run against it. It spawns the CLI's bin file; it imports nothing from the CLI.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..', '..');

/** Options of {@link symphonyUp}. */
export type SymphonyUpOptions = {
  /** The local actor the network registers as its operator (`SYMPHONY_ACTOR`, default `act_local`). */
  actor?: string;
  /** More local actors (`--actor act_x[=role,role]`), each with a key file in the key home. */
  actors?: readonly string[];
};

export type RunningNetwork = {
  url: string;
  /** The key home (`SYMPHONY_HOME`): `keys/<actor>.json` for every local actor. */
  home: string;
  /** The key file of an actor, the operator actor unless told. */
  keyFile(actor?: string): string;
  stop(): Promise<void>;
};

/** `symphony up --json --port 0`; resolves once it printed its URL, rejects if it exits first. */
export async function symphonyUp(options: SymphonyUpOptions = {}): Promise<RunningNetwork> {
  const actor = options.actor ?? 'act_local';
  const home = mkdtempSync(join(tmpdir(), 'symphony-up-'));
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
      ...(options.actors ?? []).flatMap((a) => ['--actor', a]),
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
    keyFile: (who = actor) => join(home, 'keys', `${who.split('=')[0]}.json`),
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
