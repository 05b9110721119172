/** `symphony task accept ID --vault V --subject S`: a data subject accepts a participant query through its Vault. */
import type { Command } from 'commander';
import type { CommandContext } from '../command-context.ts';
import { parseActorId, parseTaskId } from '../option-parsers.ts';
import type { CommandDeps } from './command-deps.ts';
import { parseVaultId } from './consent.ts';

type Options = { vault: string; subject: string };

/** Registers `task accept`. */
export function registerTaskAccept(task: Command, deps: CommandDeps): void {
  task
    .command('accept')
    .description("accept a participant query on a data subject's behalf, through the subject's Vault")
    .argument('<task_id>', 'the query task', parseTaskId)
    .requiredOption('--vault <vault_id>', "the subject's Vault (its node signs the acceptance)", parseVaultId)
    .requiredOption('--subject <actor_id>', 'the data subject', parseActorId)
    .addHelpText(
      'after',
      `
A query whose spec requires participation reads only subjects who accepted it before it runs, and
its settlement rewards them as data producers.

Example:
  $ symphony task accept tsk_0001 --vault vlt_lioncity-app --subject act_sub-0001`,
    )
    .action((taskId: string, options: Options, command: Command) =>
      deps.run(command, (context) => accept(context, taskId, options)),
    );
}

async function accept(context: CommandContext, taskId: string, options: Options): Promise<number> {
  const view = await context
    .client()
    .acceptParticipation(taskId, { vault_id: options.vault, subject: options.subject });
  if (context.json) context.out.json(view);
  else
    context.out.line(
      `${view.subject} accepted ${context.out.colors.bold(view.task_id)} through ${view.vault_id} (${view.accepted} accepted so far)`,
    );
  return 0;
}
