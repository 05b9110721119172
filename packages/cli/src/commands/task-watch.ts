/** `symphony task watch ID`: follow a task through its lifecycle, one line per state change. */
import type { TaskEventView, TaskView } from '@symphony/api';
import { TASK_STATES, type TaskState, taskLifecycle } from '@symphony/protocol';
import { type Command, Option } from 'commander';
import type { CommandContext } from '../command-context.ts';
import { paintState } from '../format/states.ts';
import { formatClock, formatDuration, formatRelativeTime } from '../format/time.ts';
import { formatTrainProgress } from '../format/train-progress.ts';
import { parseSeconds, parseTaskId } from '../option-parsers.ts';
import { FAILED_TASK_STATES, WATCH_STOP_STATES } from '../task-states.ts';
import type { CommandDeps } from './command-deps.ts';

type Options = { until?: TaskState; interval: number; timeout: number };

/** Registers `task watch`. */
export function registerTaskWatch(task: Command, deps: CommandDeps): void {
  task
    .command('watch')
    .description('follow a task until it reaches awaiting_settlement or a terminal state, printing each state change')
    .argument('<task-id>', 'the task id (tsk_...)', parseTaskId)
    .addOption(new Option('--until <state>', 'stop when the task reaches this state instead').choices(TASK_STATES))
    .addOption(new Option('--interval <seconds>', 'poll interval').default(500, '0.5').argParser(parseSeconds))
    .addOption(
      new Option('--timeout <seconds>', 'give up (exit 1) after this long')
        .default(300_000, '300')
        .argParser(parseSeconds),
    )
    .addHelpText(
      'after',
      `
Exit codes: 0 when the watch ends at awaiting_settlement, completed or the --until state;
1 when the task is rejected or timed out, or when --timeout passes first.

Example:
  $ symphony task watch tsk_01 --until completed`,
    )
    .action((taskId: string, options: Options, command: Command) =>
      deps.run(command, (context) => watchTask(context, taskId, options)),
    );
}

/** Polls the task and prints every state change with its log time; returns the exit code. */
export async function watchTask(context: CommandContext, taskId: string, options: Options): Promise<number> {
  const { io, out, err } = context;
  const client = context.client();
  const started = io.now();
  const stops = (state: TaskState): boolean =>
    options.until === undefined
      ? WATCH_STOP_STATES.includes(state)
      : state === options.until || taskLifecycle.terminal.includes(state);
  let lastSeq = -1;
  let printedSeq = -1;
  let printedState: string | undefined;
  let trainSeq = -1;
  let task: TaskView;
  if (!context.json)
    out.line(`watching ${out.colors.bold(taskId)} (every ${formatDuration(options.interval)}, Ctrl-C to stop)`);
  for (;;) {
    task = await client.getTask(taskId);
    if (task.updated_seq !== lastSeq) {
      lastSeq = task.updated_seq;
      const events = await client.taskEvents(taskId).then(
        (answer) => answer.events,
        () => [] as TaskEventView[],
      );
      for (const event of events) {
        if (event.seq <= printedSeq || event.outcome !== 'applied' || event.state === undefined) continue;
        if (event.state !== printedState && !context.json) printChange(context, event.state, event.time_ms, event.type);
        printedSeq = event.seq;
        printedState = event.state;
      }
      if (task.state !== printedState) {
        if (!context.json) printChange(context, task.state, io.now(), undefined);
        printedState = task.state;
      }
    }
    if (task.train && task.train.updated_seq !== trainSeq) {
      trainSeq = task.train.updated_seq;
      if (!context.json) out.line(`  ${formatTrainProgress(task.train)}`);
    }
    if (stops(task.state)) break;
    if (io.now() - started >= options.timeout) {
      if (context.json) context.out.json(task);
      err.line(
        `${err.colors.red('error')} timeout: ${taskId} is still ${task.state} after ${formatDuration(io.now() - started)}`,
      );
      return 1;
    }
    await io.sleep(options.interval);
  }
  if (context.json) {
    out.json(task);
  } else if (FAILED_TASK_STATES.includes(task.state)) {
    out.line(
      `${taskId} ended ${paintState(task.state, out.colors)}${task.reason_code ? ` (reason: ${task.reason_code})` : ''}`,
    );
    out.next([context.cli(`task show ${taskId}`)]);
  } else if (task.state === 'awaiting_settlement') {
    out.line(
      `the result is released and waits for the settlement of epoch ${task.settle_epoch ?? task.admitted_epoch}`,
    );
    out.next([
      context.cli(`task show ${taskId}`),
      context.cli('epoch close'),
      context.cli(`task watch ${taskId} --until completed`),
    ]);
  } else {
    out.next([context.cli(`task show ${taskId}`)]);
  }
  return FAILED_TASK_STATES.includes(task.state) ? 1 : 0;
}

function printChange(context: CommandContext, state: string, timeMs: number, eventType: string | undefined): void {
  const { out, io } = context;
  const when = `${formatClock(timeMs)}  ${formatRelativeTime(timeMs, io.now()).padEnd(9)}`;
  const pad = ' '.repeat(Math.max(0, 19 - state.length));
  const event = eventType ? `${pad}  ${out.colors.dim(`(${eventType})`)}` : '';
  out.line(`  ${out.colors.dim(when)}  ${paintState(state, out.colors)}${event}`);
}
