/** `symphony task submit FILE`: validate a SubmitTaskRequest locally, then admit it. */
import type { Command } from 'commander';
import type { CommandContext } from '../command-context.ts';
import { paintState } from '../format/states.ts';
import { renderPairs } from '../format/table.ts';
import { shortHex } from '../format/text.ts';
import { parseIdempotencyKey, parsePositiveInt } from '../option-parsers.ts';
import { LocalValidationError } from '../validation/local-validation-error.ts';
import { type ProgramTaskFlags, readProgram, withProgram } from '../validation/program-request.ts';
import { queryRequest } from '../validation/query-request.ts';
import { readTaskRequest } from '../validation/read-task-request.ts';
import type { CommandDeps } from './command-deps.ts';

type Options = { idempotencyKey?: string; program?: string; query?: string; class?: string } & Omit<
  ProgramTaskFlags,
  'taskClass'
>;

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Registers `task submit`. */
export function registerTaskSubmit(task: Command, deps: CommandDeps): void {
  task
    .command('submit')
    .description('submit a task from a JSON SubmitTaskRequest file, or a Compute program (validated locally first)')
    .argument('[file]', 'JSON file holding a SubmitTaskRequest (optional with --program)')
    .option(
      '-k, --idempotency-key <key>',
      'resending with the same key returns the same task instead of a new one',
      parseIdempotencyKey,
    )
    .option('--class <class>', 'task class; --program needs compute')
    .option('--program <file.js>', 'JavaScript module (export default function run(rows, ctx)) to run in the sandbox')
    .option(
      '--query <spec.json>',
      'a query spec (filter, group_by, aggregates with clamps) to run over the --vault Vaults',
    )
    .option('--vault <vault_id>', 'target Vault (repeat for several)', collect)
    .option('--attributes <list>', 'comma-separated canonical attributes the program reads')
    .option('--submitter <account>', 'submitting account, e.g. act_brand')
    .option('--consent-scope <scope>', 'consent scope of the task', 'analytics')
    .option('--max-fee <amount>', 'budget: the most the task may cost', '100000')
    .option('--domain <domain>', 'semantic domain', 'commerce.receipt')
    .option('--semantic-version <version>', 'semantic version to pin', '1.0.0')
    .option('--max-output-bytes <n>', 'largest output the program may return', parsePositiveInt, 65_536)
    .addHelpText(
      'after',
      `
The file is checked against the SubmitTaskRequest schema before anything is sent; a bad field
prints its JSON path and reason and exits with code 2.

With --program the file's SHA-256 becomes the program's code_hash; every target Vault's policy
must approve that hash, or the task ends rejected with program_not_approved.

Examples:
  $ symphony task submit count-coffee.json --idempotency-key count-coffee-2026-11
  $ symphony task submit --class compute --program examples/programs/coffee-eligibility.js \\
      --vault vlt_lioncity-app --attributes category,total_amount,purchased_at --submitter act_brand
  $ symphony task submit --query examples/queries/coffee-by-city.json \\
      --vault vlt_lioncity-app --vault vlt_straits-wallet --submitter act_brand`,
    )
    .action((file: string | undefined, options: Options, command: Command) =>
      deps.run(command, (context) => submitTask(context, file, options)),
    );
}

async function submitTask(context: CommandContext, file: string | undefined, options: Options): Promise<number> {
  const base = file === undefined ? undefined : await readTaskRequest(file, context.io.cwd);
  let request = base;
  if (options.program !== undefined) {
    const program = await readProgram(options.program, context.io.cwd, options.maxOutputBytes);
    request = withProgram(base, program, {
      ...options,
      ...(options.class === undefined ? {} : { taskClass: options.class }),
    });
  }
  if (options.query !== undefined) {
    request = await queryRequest(options.query, context.io.cwd, {
      ...options,
      ...(options.class === undefined ? {} : { taskClass: options.class }),
    });
  }
  if (request === undefined)
    throw new LocalValidationError("missing required argument 'file' (or give --program or --query with its flags)");
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
