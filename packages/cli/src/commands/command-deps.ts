/** What command modules receive from the program: the process surroundings and a runner for actions. */
import type { Command } from 'commander';
import type { CliIo } from '../cli-io.ts';
import { CommandContext } from '../command-context.ts';
import { reportError } from '../report-error.ts';
import type { StartStandalone } from '../runtime/standalone.ts';

/** Shared by every command of one program instance. */
export type CommandDeps = {
  io: CliIo;
  /** Loads the embedded network (tests substitute a fake). */
  loadStandalone(): Promise<StartStandalone>;
  /** Runs an action: builds its context, reports any error, records the exit code. */
  run(command: Command, action: (context: CommandContext) => Promise<number | undefined>): Promise<void>;
};

/** Builds the deps; `onExitCode` receives the exit code of the action that ran. */
export function createCommandDeps(
  io: CliIo,
  loadStandalone: () => Promise<StartStandalone>,
  onExitCode: (code: number) => void,
): CommandDeps {
  return {
    io,
    loadStandalone,
    async run(command, action) {
      const context = CommandContext.of(io, command);
      try {
        onExitCode((await action(context)) ?? 0);
      } catch (error) {
        onExitCode(reportError(error, context.err));
      }
    },
  };
}
