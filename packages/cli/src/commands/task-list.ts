/** `symphony task list`: the tasks the network knows, as a table. */
import type { TaskView } from '@symphony/api';
import { TASK_CLASSES, TASK_STATES, type TaskClass, type TaskState } from '@symphony/protocol';
import { type Command, Option } from 'commander';
import type { CommandContext } from '../command-context.ts';
import { paintState } from '../format/states.ts';
import { renderTable } from '../format/table.ts';
import { plural } from '../format/text.ts';
import { parsePositiveInt } from '../option-parsers.ts';
import type { CommandDeps } from './command-deps.ts';

type Options = { state?: TaskState; class?: TaskClass; limit?: number; cursor?: string; all?: boolean };

/** Registers `task list`. */
export function registerTaskList(task: Command, deps: CommandDeps): void {
  task
    .command('list')
    .description('list tasks, optionally filtered by state and class, as a table')
    .addOption(new Option('-s, --state <state>', 'only tasks in this state').choices(TASK_STATES))
    .addOption(new Option('-c, --class <class>', 'only tasks of this class').choices(TASK_CLASSES))
    .addOption(new Option('-n, --limit <n>', 'at most this many tasks per page (1..500)').argParser(parsePositiveInt))
    .option('--cursor <cursor>', 'continue from the next_cursor of a previous page')
    .option('-a, --all', 'follow next_cursor and list every page')
    .addHelpText('after', '\nExample:\n  $ symphony task list --state awaiting_settlement --class compute')
    .action((options: Options, command: Command) => deps.run(command, (context) => listTasks(context, options)));
}

async function listTasks(context: CommandContext, options: Options): Promise<number> {
  const client = context.client();
  const tasks: TaskView[] = [];
  let cursor = options.cursor;
  let nextCursor: string | undefined;
  do {
    const page = await client.listTasks({
      ...(options.state && { state: options.state }),
      ...(options.class && { class: options.class }),
      ...(options.limit !== undefined && { limit: options.limit }),
      ...(cursor !== undefined && { cursor }),
    });
    tasks.push(...page.tasks);
    nextCursor = page.next_cursor;
    cursor = nextCursor;
  } while (options.all && nextCursor !== undefined);

  const { out } = context;
  if (context.json) {
    out.json(nextCursor === undefined ? { tasks } : { tasks, next_cursor: nextCursor });
    return 0;
  }
  if (tasks.length === 0) {
    out.line('no tasks match');
    out.next([context.cli('task submit FILE')]);
    return 0;
  }
  out.line(
    renderTable(
      [
        { header: 'TASK' },
        { header: 'CLASS' },
        { header: 'STATE' },
        { header: 'EPOCH', align: 'right' },
        { header: 'FEE', align: 'right' },
        { header: 'MAX FEE', align: 'right' },
        { header: 'VAULTS', align: 'right' },
        { header: 'REASON' },
      ],
      tasks.map((t) => [
        t.task_id,
        t.class,
        paintState(t.state, out.colors),
        String(t.settle_epoch ?? t.admitted_epoch),
        t.fee ?? '-',
        t.max_fee,
        String(t.vault_ids.length),
        t.reason_code ?? '',
      ]),
    ),
  );
  out.line(out.colors.dim(`${plural(tasks.length, 'task')}${nextCursor ? ' (more available)' : ''}`));
  const next = [context.cli(`task show ${tasks[0]?.task_id}`)];
  if (nextCursor) next.unshift(context.cli(`task list --cursor ${nextCursor}`));
  out.next(next);
  return 0;
}
