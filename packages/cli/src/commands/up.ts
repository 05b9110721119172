/** `symphony up`: run the embedded network in this process until stopped. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ACTOR_ROLES, type ActorRole, sha256Hex } from '@symphony/protocol';
import { type Command, Option } from 'commander';
import { DEFAULT_API_URL } from '../api-client.ts';
import type { CommandContext } from '../command-context.ts';
import { renderPairs } from '../format/table.ts';
import { formatDuration } from '../format/time.ts';
import { KeyStore, keyDirOf } from '../keys/key-store.ts';
import { LOCAL_ACTOR_BALANCE, localActors } from '../keys/local-actors.ts';
import { parsePort } from '../option-parsers.ts';
import { networkUrls } from '../runtime/network-urls.ts';
import type { StandaloneOptions } from '../runtime/standalone.ts';
import { LocalValidationError } from '../validation/local-validation-error.ts';
import type { CommandDeps } from './command-deps.ts';

/** The web console's build (`npm run build -w @symphony/console`, run by `npm install`), served at /console. */
export const CONSOLE_BUILD_DIR = resolve(import.meta.dirname, '..', '..', '..', 'console', 'dist');

/** Where `symphony up` keeps its data unless `--data` says otherwise. */
export const DEFAULT_UP_DATA_DIR = './.data/symphony';
/** The port `symphony up` listens on unless `--port` says otherwise (the CLI's default `--api`). */
export const DEFAULT_UP_PORT = 7070;

type Options = {
  data: string;
  port: number;
  host: string;
  quiet?: boolean;
  threads?: 1 | 2;
  approveProgram?: string[];
  actor?: string[];
};

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `VAULT=FILE.js` or `VAULT=SHA256` pairs as approved code hashes per Vault. */
async function approvedPrograms(pairs: readonly string[], cwd: string): Promise<Record<string, string[]>> {
  const approved: Record<string, string[]> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 1) throw new LocalValidationError(`--approve-program expects VAULT=FILE.js or VAULT=SHA256, got ${pair}`);
    const vault = pair.slice(0, at);
    const target = pair.slice(at + 1);
    const hash = /^[0-9a-f]{64}$/.test(target)
      ? target
      : sha256Hex(
          new Uint8Array(
            await readFile(resolve(cwd, target)).catch(() => {
              throw new LocalValidationError(`--approve-program: cannot read ${target}`);
            }),
          ),
        );
    approved[vault] = [...(approved[vault] ?? []), hash];
  }
  return approved;
}

/** Registers `up`. */
export function registerUp(program: Command, deps: CommandDeps): void {
  program
    .command('up')
    .description('run the whole network (3 masters, enterprise nodes, the HTTP API) in this process until Ctrl-C')
    .addOption(
      new Option('-d, --data <dir>', 'data folder (created if missing; reused on the next start)').default(
        DEFAULT_UP_DATA_DIR,
      ),
    )
    .addOption(
      new Option('-p, --port <port>', 'HTTP port (0 picks a free one)').default(DEFAULT_UP_PORT).argParser(parsePort),
    )
    .addOption(new Option('--host <host>', 'interface to listen on').default('127.0.0.1'))
    .option('-q, --quiet', 'no runtime logs, only the CLI lines')
    .addOption(
      new Option(
        '--threads <n>',
        '2: run the pipeline (other masters, enterprise nodes) in a worker thread with its own database under <data>/pglite-pipeline; a data folder keeps the layout it was created with (default: its layout, 1 for a new folder)',
      )
        .choices(['1', '2'])
        .argParser((v) => Number(v) as 1 | 2),
    )
    .option(
      '--approve-program <vault=file.js|sha256>',
      "approve a Compute program for a Vault's policy, by file or SHA-256 (repeat for several)",
      collect,
    )
    .option(
      '--actor <actor[=role,role]>',
      'also register this actor (its key is created in the key store if missing) with these roles (default task_submitter); repeat for several',
      collect,
    )
    .addHelpText(
      'after',
      `
Examples:
  $ symphony up
  $ symphony up --actor act_alice --actor act_bob=task_submitter,data_producer
  $ symphony up --data ./.data/demo --port 7171
  $ symphony up --data ./.data/two-threads --threads 2
  $ symphony up --approve-program vlt_lioncity-app=examples/programs/coffee-eligibility.js`,
    )
    .action((options: Options, command: Command) => deps.run(command, (context) => up(context, deps, options)));
}

async function up(context: CommandContext, deps: CommandDeps, options: Options): Promise<number> {
  const { io } = context;
  const progress = context.json ? context.err : context.out;
  const dataDir = resolve(io.cwd, options.data);
  const startStandalone = await deps.loadStandalone();
  const started = io.now();
  progress.line(`starting the embedded network (data: ${dataDir})`);
  const store = new KeyStore(keyDirOf(io.env));
  const key = store.ensure(store.defaultActor(context.actor));
  progress.line(`signing as ${key.keyid} (key in ${store.dir}; registered when the data folder is new)`);
  const standaloneOptions: StandaloneOptions = {
    dataDir,
    actors: [...localActors(key), ...extraActors(store, options.actor ?? [], key.keyid)],
    port: options.port,
    host: options.host,
    onProgress: (step) => progress.line(progress.colors.dim(`  · ${step}`)),
    consoleRoot: CONSOLE_BUILD_DIR,
  };
  if (options.quiet) standaloneOptions.logger = false;
  if (options.threads) standaloneOptions.threads = options.threads;
  if (options.approveProgram?.length)
    standaloneOptions.approvedPrograms = await approvedPrograms(options.approveProgram, io.cwd);
  let stopSignal: string | undefined;
  let wake: (() => void) | undefined;
  const unsubscribe = io.onStop((signal) => {
    stopSignal = signal;
    wake?.();
  });
  try {
    const network = await startStandalone(standaloneOptions).catch((error: unknown) => {
      throw explainStartFailure(error, options);
    });
    const urls = networkUrls(network.url);
    if (context.json) {
      context.out.json({
        url: urls.api,
        openapi: urls.openapi,
        docs: urls.docs,
        console: `${urls.api}/console/`,
        data_dir: network.dataDir,
      });
    } else {
      const { out } = context;
      const api = network.url === DEFAULT_API_URL ? '' : ` --api ${network.url}`;
      out.line(
        `${out.colors.green('Symphony is up')} at ${out.colors.bold(urls.api)} (started in ${formatDuration(io.now() - started)})`,
      );
      out.line(
        renderPairs(
          [
            ['console', `${urls.api}/console/`],
            ['OpenAPI', urls.openapi],
            ['docs', urls.docs],
            ['health', urls.health],
            ['data', network.dataDir],
          ],
          '  ',
        ),
      );
      out.next([
        `symphony${api} network`,
        `symphony${api} task submit <request.json> --idempotency-key my-first-task`,
        `symphony${api} task list`,
        `symphony${api} epoch close --wait`,
        `symphony${api} rewards`,
      ]);
      out.line();
      out.line(out.colors.dim(`Ctrl-C stops the network; its data stays in ${network.dataDir}`));
    }
    if (stopSignal === undefined) await new Promise<void>((resolveStop) => (wake = resolveStop));
    progress.line(`${stopSignal}: stopping the network…`);
    await network.close();
    progress.line('stopped');
    return 0;
  } finally {
    unsubscribe();
  }
}

/** `--actor act_x[=role,role]`: more local actors, each with a key in the store, funded and granted every Vault. */
function extraActors(
  store: KeyStore,
  specs: readonly string[],
  self: string,
): NonNullable<StandaloneOptions['actors']> {
  const out: NonNullable<StandaloneOptions['actors']> = [];
  for (const spec of specs) {
    const [actorId = '', roleList] = spec.split('=', 2);
    const roles = (roleList ?? 'task_submitter').split(',').filter(Boolean);
    const unknown = roles.filter((r) => !(ACTOR_ROLES as readonly string[]).includes(r));
    if (unknown.length > 0 || roles.length === 0)
      throw new LocalValidationError(`--actor ${spec}: roles must be among ${ACTOR_ROLES.join(', ')}`);
    if (actorId === self || out.some((a) => a.actor_id === actorId))
      throw new LocalValidationError(`--actor ${actorId} is registered twice`);
    let key: ReturnType<KeyStore['ensure']>;
    try {
      key = store.ensure(actorId);
    } catch (error) {
      throw new LocalValidationError(`--actor ${spec}: ${(error as Error).message}`);
    }
    out.push({
      actor_id: key.keyid,
      roles: roles as ActorRole[],
      public_key: key.publicKeyHex,
      balance: LOCAL_ACTOR_BALANCE,
      grants: 'all',
    });
  }
  return out;
}

function explainStartFailure(error: unknown, options: Options): Error {
  const code = (error as { code?: unknown }).code;
  if (code === 'EADDRINUSE') {
    return new Error(
      `port ${options.port} on ${options.host} is in use: another node may be running (try \`symphony network\`), or pick another port with --port`,
      { cause: error },
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}
