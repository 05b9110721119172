/**
 * `symphony settlement show EPOCH`: an epoch's settlement, its signatures, certificate and entries.
 * `symphony settlement retry EPOCH`: governance recovery of a `failed` settlement.
 */
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
  settlement
    .command('retry')
    .description(
      'retry a failed settlement (governance key): appends settlement_retried, the candidate is rebuilt as the next attempt and signed again',
    )
    .argument('<epoch>', 'the epoch number', parsePositiveInt)
    .addHelpText('after', '\nExample:\n  $ symphony settlement retry 1')
    .action((epoch: number, _options: unknown, command: Command) =>
      deps.run(command, (context) => retrySettlement(context, epoch)),
    );
}

async function retrySettlement(context: CommandContext, epoch: number): Promise<number> {
  const view = await context.client().retrySettlement(epoch);
  const { out } = context;
  if (context.json) {
    out.json(view);
    return 0;
  }
  out.line(renderSettlement(view, out.colors));
  out.next([context.cli(`settlement show ${epoch}`)]);
  return 0;
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
