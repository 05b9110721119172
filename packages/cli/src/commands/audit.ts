/**
 * `symphony audit epoch N`: re-derives the epoch from the protocol log (its window, every task's
 * semantic resolution, the accounting) and checks the node's recorded accounting, the
 * reconciliation (fees = rewards + treasury + refunds, payouts = finalized rewards) and the anchor.
 * Exits 1 naming the first cause when anything differs.
 */
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { type LogExportLine, parseExportLine } from '@symphony/node/assurance/log-export.ts';
import type { Entry } from '@symphony/protocol';
import type { Command } from 'commander';
import { ApiClientError } from '../api-client-error.ts';
import type { CommandContext } from '../command-context.ts';
import { groupDigits } from '../format/text.ts';
import { parsePositiveInt } from '../option-parsers.ts';
import { LocalValidationError } from '../validation/local-validation-error.ts';
import type { CommandDeps } from './command-deps.ts';

type Options = { from?: string };

/** Registers `audit` with `epoch`. */
export function registerAudit(program: Command, deps: CommandDeps): void {
  const audit = program.command('audit').description('re-derive and check finalized truth from the protocol log');
  audit
    .command('epoch')
    .argument('<n>', 'the finalized epoch', parsePositiveInt)
    .description(
      'check a finalized epoch: window, semantic resolutions, recorded accounting, fee and payout reconciliation, anchor',
    )
    .option('-f, --from <file>', 'read the log from an export instead of the node')
    .addHelpText('after', '\nExample:\n  $ symphony audit epoch 1')
    .action((n: number, options: Options, command: Command) =>
      deps.run(command, (context) => auditEpochCommand(context, n, options)),
    );
}

async function readExport(file: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  for await (const line of lines) {
    n++;
    let parsed: LogExportLine;
    try {
      parsed = parseExportLine(line, n === 1);
    } catch (error) {
      throw new LocalValidationError(`--from: line ${n} ${(error as Error).message}`);
    }
    if (parsed.kind === 'entry') entries.push(parsed.entry as unknown as Entry);
  }
  return entries;
}

async function readLog(context: CommandContext): Promise<Entry[]> {
  const client = context.client();
  const entries: Entry[] = [];
  for (;;) {
    const page = await client.logPage(entries.length, 5000);
    entries.push(...(page.entries as unknown as Entry[]));
    if (page.head && page.head.seq === entries.length - 1) return entries;
    if (page.entries.length === 0) await context.io.sleep(100);
  }
}

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (error) {
    if (error instanceof ApiClientError && error.code === 'not_found') return undefined;
    throw error;
  }
}

async function auditEpochCommand(context: CommandContext, epoch_id: number, options: Options): Promise<number> {
  const { out, err } = context;
  const { auditEpoch } = await import('@symphony/node/assurance/audit-epoch.ts');
  const entries = options.from ? await readExport(resolve(context.io.cwd, options.from)) : await readLog(context);
  const client = context.client();
  const recorded = await orUndefined(client.epochAccounting(epoch_id));
  const anchor = await orUndefined(client.epochAnchor(epoch_id));
  const report = auditEpoch({
    epoch_id,
    entries,
    ...(recorded ? { recorded } : {}),
    ...(anchor ? { anchor } : {}),
  });
  if (!recorded && report.findings.length === 0) {
    report.findings.push({
      code: 'entry_missing',
      subject: `epoch ${epoch_id}`,
      message: 'the node has no recorded accounting for this epoch',
    });
    report.ok = false;
  }
  if (context.json) out.json(report);
  else {
    const { green, red, dim } = out.colors;
    out.heading(`audit of epoch ${epoch_id} over ${groupDigits(String(entries.length))} log entries`);
    if (report.window)
      out.line(
        `  window        entries ${report.window.opened_at_seq}..${report.window.closed_at_seq ?? '?'} (${report.window.entries} in the epoch${report.window.ignored_foreign ? `, ${report.window.ignored_foreign} ignored` : ''})`,
      );
    out.line(`  tasks         ${report.tasks} settled, ${report.resolutions_checked} semantic resolutions re-derived`);
    if (report.totals) {
      const t = report.totals;
      out.line(
        `  fees          escrowed ${t.max_fees} = rewards ${t.contributor_rewards} + treasury ${t.treasury} + refunds ${t.refunds}`,
      );
      out.line(`  payouts       ${t.payouts} in intents (fee rewards and treasury, plus emission ${t.emission})`);
    }
    if (report.payout_batches) {
      const b = report.payout_batches;
      out.line(
        `  batches       ${b.batches} (claims roots rebuilt from the intents), ${b.executed} executed paying ${b.executed_total}`,
      );
    }
    if (report.anchor) out.line(`  anchor        ${report.anchor.adapter} ${report.anchor.reference ?? '(none)'}`);
    if (report.ok) out.line(green(`audit passed: epoch ${epoch_id} re-derives exactly from the log`));
    else {
      for (const f of report.findings) err.line(`  ${red(f.code)} ${f.subject}: ${f.message}`);
      const first = report.findings[0]!;
      err.line(
        `${red('audit failed')}: ${first.code} (${first.subject})${report.findings.length > 1 ? dim(` and ${report.findings.length - 1} more`) : ''}`,
      );
    }
  }
  return report.ok ? 0 : 1;
}
