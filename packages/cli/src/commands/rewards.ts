/** `symphony rewards`: reward records, per account and in total. */
import type { Command } from 'commander';
import type { CommandContext } from '../command-context.ts';
import { renderRewardRecords, renderRewardSummary, summarizeRewards } from '../format/rewards.ts';
import { groupDigits, plural } from '../format/text.ts';
import { parseActorId, parsePositiveInt } from '../option-parsers.ts';
import type { CommandDeps } from './command-deps.ts';

type Options = { epoch?: number; actor?: string; records?: boolean };

/** Registers `rewards`. */
export function registerRewards(program: Command, deps: CommandDeps): void {
  program
    .command('rewards')
    .description('list reward records, summed per account')
    .option('-e, --epoch <n>', 'only rewards of this epoch', parsePositiveInt)
    .option('--actor <account>', 'only rewards of this account (act_...)', parseActorId)
    .option('-r, --records', 'also list every reward record')
    .addHelpText('after', '\nExample:\n  $ symphony rewards --epoch 1 --actor act_sub-0001')
    .action((options: Options, command: Command) => deps.run(command, (context) => listRewards(context, options)));
}

async function listRewards(context: CommandContext, options: Options): Promise<number> {
  const list = await context.client().rewards({
    ...(options.epoch !== undefined && { epochId: options.epoch }),
    ...(options.actor !== undefined && { actor: options.actor }),
  });
  const { out } = context;
  if (context.json) {
    out.json(list);
    return 0;
  }
  if (list.rewards.length === 0) {
    out.line('no reward records match');
    out.next([context.cli('epoch list')]);
    return 0;
  }
  const summary = summarizeRewards(list.rewards);
  out.heading(`rewards: ${plural(list.rewards.length, 'record')}, ${plural(summary.length, 'account')}`);
  out.line(renderRewardSummary(summary, out.colors));
  out.line(out.colors.dim(`server total of finalized amounts: ${groupDigits(list.total)} base units`));
  if (options.records) {
    out.line();
    out.line(renderRewardRecords(list.rewards, out.colors));
  }
  const first = summary[0]?.account;
  out.next(
    options.records
      ? []
      : [
          context.cli(
            `rewards${options.epoch ? ` --epoch ${options.epoch}` : ''} --records${first && !options.actor ? ` --actor ${first}` : ''}`,
          ),
        ],
  );
  return 0;
}
