/** `symphony task show ID`: one task, its state changes and its released result. */
import type { TaskResult } from '@symphony/api';
import type { Command } from 'commander';
import { ApiClientError } from '../api-client-error.ts';
import type { CommandContext } from '../command-context.ts';
import { describeAttestation } from '../format/attestation.ts';
import { isQueryResult, renderQueryResult } from '../format/query-result.ts';
import { paintState } from '../format/states.ts';
import { renderPairs, renderTable } from '../format/table.ts';
import { shortHex } from '../format/text.ts';
import { formatTimestamp } from '../format/time.ts';
import { formatTrainProgress } from '../format/train-progress.ts';
import { parseTaskId } from '../option-parsers.ts';
import type { CommandDeps } from './command-deps.ts';

/** Registers `task show`. */
export function registerTaskShow(task: Command, deps: CommandDeps): void {
  task
    .command('show')
    .description('show a task, its lifecycle events and its result once released')
    .argument('<task-id>', 'the task id (tsk_...)', parseTaskId)
    .action((taskId: string, _options: unknown, command: Command) =>
      deps.run(command, (context) => showTask(context, taskId)),
    );
}

async function showTask(context: CommandContext, taskId: string): Promise<number> {
  const client = context.client();
  const [task, events] = await Promise.all([client.getTask(taskId), client.taskEvents(taskId)]);
  let result: TaskResult | undefined;
  try {
    result = await client.taskResult(taskId);
  } catch (error) {
    if (!(error instanceof ApiClientError && error.code === 'result_not_ready')) throw error;
  }
  const { out } = context;
  if (context.json) {
    out.json({ task, events: events.events, result: result ?? null });
    return 0;
  }
  out.heading(`${task.task_id}  ${paintState(task.state, out.colors)}`);
  out.line(
    renderPairs(
      [
        ['class', task.class],
        ['submitter', task.submitter],
        ['vaults', task.vault_ids.join(', ')],
        ['versions', `semantic ${task.semantic_version}, policy v${task.policy_version}`],
        ['epochs', `admitted ${task.admitted_epoch}${task.settle_epoch ? `, settles in ${task.settle_epoch}` : ''}`],
        ['fee', `${task.fee ?? '-'} of max ${task.max_fee}`],
        ['attempt', String(task.attempt)],
        ['envelope', task.envelope_hash],
        ...(task.reason_code ? [['reason', task.reason_code] as const] : []),
        ...(task.train ? [['training', formatTrainProgress(task.train)] as const] : []),
      ],
      '  ',
    ),
  );
  out.line();
  out.heading('events');
  out.line(
    renderTable(
      [
        { header: 'SEQ', align: 'right' },
        { header: 'TIME' },
        { header: 'EPOCH', align: 'right' },
        { header: 'EVENT' },
        { header: 'STATE' },
      ],
      events.events.map((e) => [
        String(e.seq),
        formatTimestamp(e.time_ms),
        String(e.epoch_id),
        e.type,
        e.outcome === 'ignored' ? out.colors.dim('(ignored)') : paintState(e.state ?? '', out.colors),
      ]),
    ),
  );
  out.line();
  if (result) {
    out.heading(`result${result.verified ? ' (verified)' : ''}`);
    out.line(isQueryResult(result.output) ? renderQueryResult(result.output) : JSON.stringify(result.output, null, 2));
    out.line(out.colors.dim(`output ${shortHex(result.output_hash)}  receipt ${shortHex(result.receipt_hash)}`));
    if (result.attestation) out.line(out.colors.dim(describeAttestation(result.attestation)));
  } else {
    out.line(out.colors.dim('no result released yet'));
    out.next([context.cli(`task watch ${taskId}`)]);
  }
  return 0;
}
