/** `symphony demo`: the whole network and a full epoch, end to end, in one command. */
import { type Command, Option } from 'commander';
import { runDemo } from '../demo/run-demo.ts';
import { parsePositiveInt, parseSeconds } from '../option-parsers.ts';
import type { CommandDeps } from './command-deps.ts';

type Options = { data?: string; seed: number; subjects: number; receipts: number; wait: number };

/** Registers `demo`. */
export function registerDemo(program: Command, deps: CommandDeps): void {
  program
    .command('demo')
    .description(
      'start the network in-process, ingest seeded receipts, run compute tasks, close the epoch and show the finalized settlement and rewards',
    )
    .option('-d, --data <dir>', 'data folder to use (default: a fresh temporary folder, kept afterwards)')
    .addOption(
      new Option('--seed <n>', 'seed of the receipts data set').default(20_261_101).argParser(parsePositiveInt),
    )
    .addOption(new Option('--subjects <n>', 'number of data subjects').default(160).argParser(parsePositiveInt))
    .addOption(new Option('--receipts <n>', 'receipts per data subject').default(12).argParser(parsePositiveInt))
    .addOption(
      new Option('--wait <seconds>', 'how long to wait for the tasks, and again for finality')
        .default(60_000, '60')
        .argParser(parseSeconds),
    )
    .addHelpText(
      'after',
      `
Everything after the start goes over HTTP, as any client would. Exit code 0 only when the epoch
finalized with a 64-hex settlement root, at least 2 master signatures and reward records.

Example:
  $ symphony demo
  $ symphony up --data <the folder the demo printed>     # explore it afterwards`,
    )
    .action((options: Options, command: Command) =>
      deps.run(command, async (context) =>
        runDemo(context, await deps.loadStandalone(), {
          ...(options.data !== undefined && { dataDir: options.data }),
          seed: options.seed,
          subjects: options.subjects,
          receiptsPerSubject: options.receipts,
          waitMs: options.wait,
        }),
      ),
    );
}
