/** `symphony epoch list` and `symphony epoch close`. */
import { type Command, Option } from 'commander';
import type { CommandContext } from '../command-context.ts';
import { renderSettlement } from '../format/settlement.ts';
import { paintState } from '../format/states.ts';
import { renderTable } from '../format/table.ts';
import { shortHex } from '../format/text.ts';
import { formatDuration, formatRelativeTime, formatTimestamp } from '../format/time.ts';
import { parseSeconds } from '../option-parsers.ts';
import { waitForSettlement } from '../wait-for-settlement.ts';
import type { CommandDeps } from './command-deps.ts';

type CloseOptions = { wait?: boolean; timeout: number };

/** Registers `epoch` with its subcommands. */
export function registerEpoch(program: Command, deps: CommandDeps): void {
  const epoch = program.command('epoch').description('list epochs and close the current one');
  epoch
    .command('list')
    .description('list epochs with their settlement state and root')
    .action((_options: unknown, command: Command) => deps.run(command, (context) => listEpochs(context)));
  epoch
    .command('close')
    .description('close the current epoch: its verified tasks go to settlement and a new epoch opens')
    .option('-w, --wait', 'wait until the settlement is finalized (or failed) and show it')
    .addOption(
      new Option('--timeout <seconds>', 'how long --wait waits').default(120_000, '120').argParser(parseSeconds),
    )
    .addHelpText('after', '\nExample:\n  $ symphony epoch close --wait')
    .action((options: CloseOptions, command: Command) => deps.run(command, (context) => closeEpoch(context, options)));
}

async function listEpochs(context: CommandContext): Promise<number> {
  const list = await context.client().listEpochs();
  const { out, io } = context;
  if (context.json) {
    out.json(list);
    return 0;
  }
  out.line(
    renderTable(
      [
        { header: 'EPOCH', align: 'right' },
        { header: 'STATE' },
        { header: 'OPENED' },
        { header: 'CLOSED' },
        { header: 'TASKS', align: 'right' },
        { header: 'SETTLEMENT' },
        { header: 'ROOT' },
      ],
      list.epochs.map((e) => [
        String(e.epoch_id),
        e.state,
        `${formatTimestamp(e.opened_at_ms)} (${formatRelativeTime(e.opened_at_ms, io.now())})`,
        e.closed_at_ms === undefined ? '-' : formatTimestamp(e.closed_at_ms),
        String(e.task_count),
        paintState(e.settlement_state, out.colors),
        e.settlement_root ? shortHex(e.settlement_root) : '-',
      ]),
    ),
  );
  out.line(out.colors.dim(`current epoch: ${list.current_epoch}`));
  const closed = list.epochs.filter((e) => e.state === 'closed').sort((a, b) => b.epoch_id - a.epoch_id)[0];
  out.next(
    closed
      ? [context.cli(`settlement show ${closed.epoch_id}`), context.cli('epoch close')]
      : [context.cli('epoch close')],
  );
  return 0;
}

async function closeEpoch(context: CommandContext, options: CloseOptions): Promise<number> {
  const client = context.client();
  const closed = await client.closeEpoch();
  const { out, io } = context;
  if (!options.wait) {
    if (context.json) {
      out.json(closed);
      return 0;
    }
    out.line(
      `closed epoch ${out.colors.bold(String(closed.closed_epoch))}; epoch ${closed.current_epoch} is open now; settlement of ${closed.closed_epoch}: ${paintState(closed.settlement_state, out.colors)}`,
    );
    out.next([
      context.cli(`settlement show ${closed.closed_epoch}`),
      context.cli(`rewards --epoch ${closed.closed_epoch}`),
    ]);
    return 0;
  }
  const started = io.now();
  const progress = context.json ? context.err : out;
  progress.line(
    `closed epoch ${closed.closed_epoch}; waiting for its settlement (up to ${formatDuration(options.timeout)})`,
  );
  const { view, timedOut } = await waitForSettlement(client, closed.closed_epoch, {
    timeoutMs: options.timeout,
    intervalMs: 500,
    now: io.now,
    sleep: io.sleep,
    onState: (v) =>
      progress.line(`  ${formatDuration(io.now() - started).padStart(6)}  ${paintState(v.state, progress.colors)}`),
  });
  if (context.json) out.json({ close: closed, settlement: view ?? null });
  else if (view) {
    out.line();
    out.line(renderSettlement(view, out.colors));
  }
  if (timedOut || view?.state !== 'finalized') {
    context.err.line(
      `${context.err.colors.red('error')} settlement_not_final: epoch ${closed.closed_epoch} is ${view?.state ?? 'unknown'}${timedOut ? ` after ${formatDuration(options.timeout)}` : ''}${view?.failure_reason ? ` (${view.failure_reason})` : ''}`,
    );
    return 1;
  }
  if (!context.json) out.next([context.cli(`rewards --epoch ${closed.closed_epoch}`)]);
  return 0;
}
