/**
 * Shows demo tasks moving through their lifecycle: a live multi-bar on a terminal (cli-progress),
 * one line per state change otherwise (logs, CI, tests).
 */
import type { TaskView } from '@symphony/api';
import cliProgress from 'cli-progress';
import type { OutputStream } from '../cli-io.ts';
import type { Printer } from '../format/printer.ts';
import { paintState } from '../format/states.ts';
import { formatDuration } from '../format/time.ts';

/** Receives each task's latest view; `stop` ends the display. */
export type TaskProgress = { update(name: string, task: TaskView): void; stop(): void };

/** Lifecycle steps as progress: accepted 0 ... awaiting_settlement 4; ending states fill the bar. */
const STEP: Record<TaskView['state'], number> = {
  accepted: 0,
  resolving: 1,
  dispatched: 2,
  verifying: 3,
  awaiting_settlement: 4,
  completed: 4,
  challenged: 3,
  rejected: 4,
  timed_out: 4,
};
const STEPS = 4;

/** Picks the live display for a terminal and the line display otherwise. */
export function createTaskProgress(
  printer: Printer,
  stream: OutputStream,
  names: readonly string[],
  now: () => number,
): TaskProgress {
  return stream.isTTY === true ? liveProgress(stream as NodeJS.WriteStream, names) : lineProgress(printer, names, now);
}

function liveProgress(stream: NodeJS.WriteStream, names: readonly string[]): TaskProgress {
  const width = Math.max(...names.map((n) => n.length));
  const multibar = new cliProgress.MultiBar(
    {
      stream,
      format: '  {name} {bar} {state}',
      barsize: 16,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: false,
      forceRedraw: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map(
    names.map((name) => [name, multibar.create(STEPS, 0, { name: name.padEnd(width), state: 'submitted' })]),
  );
  return {
    update(name, task) {
      bars.get(name)?.update(STEP[task.state], { state: stateText(task) });
    },
    stop() {
      multibar.stop();
    },
  };
}

function lineProgress(printer: Printer, names: readonly string[], now: () => number): TaskProgress {
  const started = now();
  const width = Math.max(...names.map((n) => n.length));
  const last = new Map<string, string>();
  return {
    update(name, task) {
      const text = stateText(task);
      if (last.get(name) === text) return;
      last.set(name, text);
      const elapsed = `+${formatDuration(now() - started)}`.padStart(8);
      printer.line(
        `  ${printer.colors.dim(elapsed)}  ${name.padEnd(width)}  ${task.task_id}  ${paintState(task.state, printer.colors)}`,
      );
    },
    stop() {},
  };
}

function stateText(task: TaskView): string {
  return task.reason_code ? `${task.state} (${task.reason_code})` : task.state;
}
