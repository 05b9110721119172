/** `symphony task ...`: submit, watch, list and show tasks. */
import type { Command } from 'commander';
import type { CommandDeps } from './command-deps.ts';
import { registerTaskAccept } from './task-accept.ts';
import { registerTaskList } from './task-list.ts';
import { registerTaskShow } from './task-show.ts';
import { registerTaskSubmit } from './task-submit.ts';
import { registerTaskWatch } from './task-watch.ts';

/** Registers `task` with its subcommands. */
export function registerTask(program: Command, deps: CommandDeps): void {
  const task = program.command('task').description('submit, follow and inspect tasks');
  registerTaskSubmit(task, deps);
  registerTaskWatch(task, deps);
  registerTaskList(task, deps);
  registerTaskShow(task, deps);
  registerTaskAccept(task, deps);
}
