/** `symphony settlement show EPOCH`: an epoch's settlement, its signatures, certificate and entries. */
import type { Command } from 'commander';
import type { CommandContext } from '../command-context.ts';
import { renderSettlement } from '../format/settlement.ts';
import { parsePositiveInt } from '../option-parsers.ts';
import type { CommandDeps } from './command-deps.ts';

/** Registers `settlement show`. */
export function registerSettlement(program: Command, deps: CommandDeps): void {
  const settlement = program.command('settlement').description('inspect epoch settlements');
  settlement
    .command('show')
    .description('show the settlement of an epoch: state, root, statement, master signatures, certificate, entries')
    .argument('<epoch>', 'the epoch number', parsePositiveInt)
    .addHelpText('after', '\nExample:\n  $ symphony settlement show 1')
    .action((epoch: number, _options: unknown, command: Command) =>
      deps.run(command, (context) => showSettlement(context, epoch)),
    );
}

async function showSettlement(context: CommandContext, epoch: number): Promise<number> {
  const view = await context.client().settlement(epoch);
  const { out } = context;
  if (context.json) {
    out.json(view);
    return 0;
  }
  out.line(renderSettlement(view, out.colors));
  out.next(
    view.state === 'finalized'
      ? [context.cli(`rewards --epoch ${epoch}`)]
      : view.state === 'collecting'
        ? [context.cli('epoch close')]
        : [context.cli(`settlement show ${epoch}`)],
  );
  return 0;
}
