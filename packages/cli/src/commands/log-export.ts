/** `symphony log export [--out FILE]`: the protocol log as NDJSON, hash-chained, with the node's checkpoints. */
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { checkpointLine, entryLine, headerLine, headLine } from '@symphony/node/assurance/log-export.ts';
import type { Checkpoint, EpochCheckpoint } from '@symphony/protocol';
import type { Command } from 'commander';
import type { CommandContext } from '../command-context.ts';
import { groupDigits } from '../format/text.ts';
import { parsePositiveInt } from '../option-parsers.ts';
import type { CommandDeps } from './command-deps.ts';

type Options = { out?: string; pageSize: number };

/** Registers `log` with `export`. */
export function registerLog(program: Command, deps: CommandDeps): void {
  const log = program.command('log').description('the protocol log: export it for replay and audit');
  log
    .command('export')
    .description('write the protocol log from genesis as NDJSON: hash-chained entries, checkpoints, the head')
    .option('-o, --out <file>', 'write to this file (default: standard output)')
    .option('--page-size <n>', 'entries per request (at most 5000)', parsePositiveInt, 1000)
    .addHelpText(
      'after',
      '\nExample:\n  $ symphony log export --out network.ndjson\n  $ symphony replay --from network.ndjson',
    )
    .action((options: Options, command: Command) => deps.run(command, (context) => exportLog(context, options)));
}

async function exportLog(context: CommandContext, options: Options): Promise<number> {
  const client = context.client();
  const file = options.out ? resolve(context.io.cwd, options.out) : undefined;
  const stream = file ? createWriteStream(file) : undefined;
  const write = async (line: string): Promise<void> => {
    if (!stream) {
      context.io.stdout.write(`${line}\n`);
      return;
    }
    await new Promise<void>((ok, fail) => stream.write(`${line}\n`, (e) => (e ? fail(e) : ok())));
  };
  const limit = Math.min(options.pageSize, 5000);
  let from = 0;
  let checkpoints = 0;
  let head: Checkpoint | undefined;
  try {
    for (let page = 0; ; page++) {
      const answer = await client.logPage(from, limit);
      if (page === 0) await write(headerLine(answer.network_id));
      const bySeq = new Map<number, EpochCheckpoint[]>();
      for (const c of answer.checkpoints) bySeq.set(c.seq, [...(bySeq.get(c.seq) ?? []), c as EpochCheckpoint]);
      for (const entry of answer.entries) {
        await write(entryLine(entry));
        for (const c of bySeq.get(entry.seq) ?? []) {
          await write(checkpointLine(c));
          checkpoints++;
        }
      }
      from += answer.entries.length;
      if (answer.head && answer.head.seq === from - 1) {
        head = answer.head as Checkpoint;
        await write(headLine(head));
        break;
      }
      if (answer.entries.length === 0) await context.io.sleep(100);
      if (file && page % 10 === 9)
        context.err.line(context.err.colors.dim(`  exported ${groupDigits(String(from))} entries…`));
    }
  } finally {
    if (stream) await new Promise<void>((ok) => stream.end(ok));
  }
  if (file) {
    const { out } = context;
    if (context.json) out.json({ file, entries: from, checkpoints, head });
    else {
      out.line(`exported ${groupDigits(String(from))} entries and ${checkpoints} checkpoints to ${file}`);
      out.line(out.colors.dim(`head: entry ${head!.seq}, state hash ${head!.state_hash}`));
      out.next([`symphony replay --from ${options.out}`, context.cli(`audit epoch <n>`)]);
    }
  }
  return 0;
}
