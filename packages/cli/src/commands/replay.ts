/**
 * `symphony replay --from FILE [--data DIR]`: a fresh node folds an exported log into a new data
 * folder and reproduces every checkpoint (state hash, settlement roots, reward ledger, payout
 * intents) of the node that exported it, or names the first entry that differs.
 */
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { CommandContext } from '../command-context.ts';
import { groupDigits } from '../format/text.ts';
import { LocalValidationError } from '../validation/local-validation-error.ts';
import type { CommandDeps } from './command-deps.ts';

type Options = { from: string; data?: string };

/** Registers `replay`. */
export function registerReplay(program: Command, deps: CommandDeps): void {
  program
    .command('replay')
    .description('fold an exported log on a fresh node and check every state hash, root and ledger against it')
    .requiredOption('-f, --from <file>', 'the export (`symphony log export --out FILE`)')
    .option('-d, --data <dir>', 'new data folder for the replayed node (default: a new temporary folder)')
    .addHelpText('after', '\nExample:\n  $ symphony replay --from network.ndjson --data ./replayed')
    .action((options: Options, command: Command) => deps.run(command, (context) => replay(context, options)));
}

async function replay(context: CommandContext, options: Options): Promise<number> {
  const { out, err, io } = context;
  const file = resolve(io.cwd, options.from);
  const size = await stat(file).then(
    (s) => s.size,
    () => {
      throw new LocalValidationError(`--from: cannot read ${file}`);
    },
  );
  const dataDir = options.data ? resolve(io.cwd, options.data) : await mkdtemp(join(tmpdir(), 'symphony-replay-'));
  await mkdir(dataDir, { recursive: true });
  if ((await readdir(dataDir)).length > 0)
    throw new LocalValidationError(`--data: ${dataDir} is not empty: replay needs a new data folder`);

  const [{ PgliteStore }, { SqlProtocolLog }, { replayExport }] = await Promise.all([
    import('@symphony/node/adapters/pglite-store.ts'),
    import('@symphony/node/adapters/sql-protocol-log.ts'),
    import('@symphony/node/assurance/replay-log.ts'),
  ]);
  err.line(err.colors.dim(`replaying ${file} into ${dataDir}`));
  const store = await PgliteStore.open({ dataDir: join(dataDir, 'pglite') });
  const log = await SqlProtocolLog.open({ store, table: 'network_log' });
  const started = io.now();
  let bytes = 0;
  const input = createReadStream(file);
  input.on('data', (chunk) => {
    bytes += chunk.length;
  });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let outcome: Awaited<ReturnType<typeof replayExport>>;
  try {
    outcome = await replayExport(lines, {
      log,
      progressEvery: 5000,
      onProgress: (n) => {
        const seconds = Math.max((io.now() - started) / 1000, 0.001);
        err.line(
          err.colors.dim(
            `  ${groupDigits(String(n))} entries (${Math.min(100, Math.round((bytes / Math.max(size, 1)) * 100))}%, ${groupDigits(String(Math.round(n / seconds)))}/s)`,
          ),
        );
      },
    });
  } finally {
    lines.close();
    input.destroy();
    await log.close();
    await store.close();
  }
  if (context.json) out.json({ data_dir: dataDir, ...outcome });
  if (!outcome.ok) {
    const where = outcome.seq !== undefined ? `entry ${outcome.seq}` : `line ${outcome.line}`;
    err.line(`${err.colors.red('replay failed')} at ${where}: ${outcome.code}`);
    err.line(`  ${outcome.message}`);
    return 1;
  }
  if (!context.json) {
    const ms = io.now() - started;
    out.line(
      `${out.colors.green('replay reproduced')} ${groupDigits(String(outcome.entries))} entries and ${outcome.checkpoints} checkpoints of ${outcome.network_id} (${ms} ms)`,
    );
    out.line(`  head: entry ${outcome.head.seq}, state hash ${outcome.head.state_hash}`);
    for (const s of outcome.head.settlements.filter((x) => x.settlement_root)) {
      out.line(
        `  epoch ${s.epoch_id}: ${s.state}, settlement root ${s.settlement_root}, rewards root ${s.rewards_root}`,
      );
    }
    out.line(`  reward ledger ${outcome.head.reward_ledger_hash}, payout intents ${outcome.head.payouts_hash}`);
    out.line(out.colors.dim(`  the replayed log is in ${dataDir}`));
  }
  return 0;
}
