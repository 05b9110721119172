/** The `symphony` command tree, and a runner that turns a command line into an exit code. */
import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_API_URL } from './api-client.ts';
import type { CliIo } from './cli-io.ts';
import { registerChallenge } from './commands/challenge.ts';
import { createCommandDeps } from './commands/command-deps.ts';
import { registerConsent } from './commands/consent.ts';
import { registerDemo } from './commands/demo.ts';
import { registerEpoch } from './commands/epoch.ts';
import { registerGrant } from './commands/grant.ts';
import { registerIngest } from './commands/ingest.ts';
import { registerKeys } from './commands/keys.ts';
import { registerNetwork } from './commands/network.ts';
import { registerPayout } from './commands/payout.ts';
import { registerRewards } from './commands/rewards.ts';
import { registerSemantic } from './commands/semantic.ts';
import { registerSettlement } from './commands/settlement-show.ts';
import { registerStake } from './commands/stake.ts';
import { registerTask } from './commands/task.ts';
import { registerUp } from './commands/up.ts';
import { registerVault } from './commands/vault.ts';
import { parseUrl } from './option-parsers.ts';
import { EXIT } from './report-error.ts';
import { loadStandalone as defaultLoadStandalone, type StartStandalone } from './runtime/standalone.ts';

/** Options of {@link createProgram}. */
export type ProgramOptions = {
  /** Replaces the embedded network loader (tests). */
  loadStandalone?: () => Promise<StartStandalone>;
};

/** A program plus the exit code its last action recorded. */
export type SymphonyProgram = { program: Command; exitCode(): number };

/**
 * Builds the command tree. It never calls `process.exit`: commander errors are thrown as
 * `CommanderError` (exitOverride) and output goes to `io`.
 */
export function createProgram(io: CliIo, options: ProgramOptions = {}): SymphonyProgram {
  let exitCode = 0;
  const deps = createCommandDeps(io, options.loadStandalone ?? defaultLoadStandalone, (code) => {
    exitCode = code;
  });
  const program = new Command('symphony')
    .description(
      'Symphony Core System: run the network, submit and watch tasks, close epochs, read settlements and rewards.',
    )
    .version('0.1.0', '-V, --version')
    .addOption(
      new Option('--api <url>', 'base URL of a Symphony node')
        .default(DEFAULT_API_URL)
        .env('SYMPHONY_API')
        .argParser(parseUrl),
    )
    .option('--json', 'print raw JSON (for scripts) instead of text')
    .addOption(
      new Option('--as <actor>', 'actor whose key signs the requests (see `symphony keys`)').env('SYMPHONY_ACTOR'),
    )
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .addHelpText(
      'after',
      `
Start here:
  $ symphony demo                 # the whole flow in one command, no setup
  $ symphony up                   # run a node at ${DEFAULT_API_URL}, then use the commands above`,
    );
  registerUp(program, deps);
  registerDemo(program, deps);
  registerNetwork(program, deps);
  registerTask(program, deps);
  registerEpoch(program, deps);
  registerSettlement(program, deps);
  registerRewards(program, deps);
  registerStake(program, deps);
  registerPayout(program, deps);
  registerConsent(program, deps);
  registerSemantic(program, deps);
  registerIngest(program, deps);
  registerVault(program, deps);
  registerKeys(program, deps);
  registerChallenge(program, deps);
  registerGrant(program, deps);
  return { program, exitCode: () => exitCode };
}

/** Every command of the tree, the root first. */
export function allCommands(root: Command): Command[] {
  return [root, ...root.commands.flatMap((c) => allCommands(c))];
}

/**
 * Runs a command line (`argv` as in `process.argv`, node and script first) and returns the exit
 * code: 0 done, 1 failed, 2 invalid input (bad option, argument or file), 130 interrupted.
 */
export async function runCli(argv: readonly string[], io: CliIo, options: ProgramOptions = {}): Promise<number> {
  const { program, exitCode } = createProgram(io, options);
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help asked for (or a version) exits 0; help shown because a subcommand is missing, or any usage error, exits 2.
      return error.exitCode === 0 ? EXIT.ok : EXIT.invalidInput;
    }
    throw error;
  }
  return exitCode();
}
