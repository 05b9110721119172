/** `symphony task submit FILE`: validate a SubmitTaskRequest locally, then admit it. */
import type { Command } from 'commander';
import type { CommandContext } from '../command-context.ts';
import { paintState } from '../format/states.ts';
import { renderPairs } from '../format/table.ts';
import { shortHex } from '../format/text.ts';
import { parseIdempotencyKey } from '../option-parsers.ts';
import { readTaskRequest } from '../validation/read-task-request.ts';
import type { CommandDeps } from './command-deps.ts';

type Options = { idempotencyKey?: string };

/** Registers `task submit`. */
export function registerTaskSubmit(task: Command, deps: CommandDeps): void {
  task
    .command('submit')
    .description('submit a task from a JSON SubmitTaskRequest file (validated locally first)')
    .argument('<file>', 'JSON file holding a SubmitTaskRequest')
    .option(
      '-k, --idempotency-key <key>',
      'resending with the same key returns the same task instead of a new one',
      parseIdempotencyKey,
    )
    .addHelpText(
      'after',
      `
The file is checked against the SubmitTaskRequest schema before anything is sent; a bad field
prints its JSON path and reason and exits with code 2.

Example:
  $ symphony task submit count-coffee.json --idempotency-key count-coffee-2026-11`,
    )
    .action((file: string, options: Options, command: Command) =>
      deps.run(command, (context) => submitTask(context, file, options)),
    );
}

async function submitTask(context: CommandContext, file: string, options: Options): Promise<number> {
  const request = await readTaskRequest(file, context.io.cwd);
  const submitOptions = options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey };
  const { task, created } = await context.client().submitTask(request, submitOptions);
  if (context.json) {
    context.out.json(task);
    return 0;
  }
  const { out } = context;
  out.line(
    created
      ? `submitted ${out.colors.bold(task.task_id)} (${task.class}), now ${paintState(task.state, out.colors)}`
      : `task ${out.colors.bold(task.task_id)} already exists for this idempotency key (state ${paintState(task.state, out.colors)}); nothing new was submitted`,
  );
  out.line(
    renderPairs(
      [
        ['vaults', task.vault_ids.join(', ')],
        ['semantic', `${request.semantic.domain}@${task.semantic_version}, policy v${task.policy_version}`],
        ['max fee', task.max_fee],
        ['admitted', `epoch ${task.admitted_epoch}`],
        ['envelope', shortHex(task.envelope_hash)],
      ],
      '  ',
    ),
  );
  out.next([context.cli(`task watch ${task.task_id}`), context.cli(`task show ${task.task_id}`)]);
  return 0;
}
