/**
 * `symphony ingest FILE --vault V`: streams a CSV, NDJSON or document file to the Vault through the
 * API edge, with a progress bar on a terminal (one line per 10% otherwise). Nothing is stored
 * unless the whole upload commits.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import cliProgress from 'cli-progress';
import { type Command, Option } from 'commander';
import type { CommandContext } from '../command-context.ts';
import { renderPairs } from '../format/table.ts';
import type { CommandDeps } from './command-deps.ts';

const TYPES: Record<string, string> = {
  '.csv': 'text/csv',
  '.ndjson': 'application/x-ndjson',
  '.jsonl': 'application/x-ndjson',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.pdf': 'application/pdf',
};

type IngestOptions = { vault: string; subject?: string; recordId?: string; type?: string };

/** Registers `ingest`. */
export function registerIngest(program: Command, deps: CommandDeps): void {
  program
    .command('ingest')
    .description('stream records (CSV, NDJSON) or a receipt document (PNG, JPEG, PDF) into a Vault')
    .argument('<file>', 'the file to upload')
    .requiredOption('--vault <vault_id>', 'the Vault to ingest into')
    .option('--subject <actor_id>', 'the data subject a document belongs to (documents only)')
    .option('--record-id <record_id>', 'the record id of a document (documents only)')
    .addOption(new Option('--type <media_type>', 'override the media type guessed from the extension'))
    .action((file: string, options: IngestOptions, command: Command) =>
      deps.run(command, (context) => ingest(context, file, options)),
    );
}

async function ingest(context: CommandContext, file: string, options: IngestOptions): Promise<number> {
  const type = options.type ?? TYPES[extname(file).toLowerCase()];
  if (!type) {
    context.err.line(`cannot tell the type of ${file}: use .csv, .ndjson, .png, .jpg or .pdf, or pass --type`);
    return 2;
  }
  const document = !['text/csv', 'application/x-ndjson'].includes(type);
  if (document && !options.subject) {
    context.err.line('a document needs --subject <actor_id>: the data subject it belongs to');
    return 2;
  }
  const size = (await stat(file)).size;
  const vault = encodeURIComponent(options.vault);
  const path = document
    ? `/v1/vaults/${vault}/documents?subject=${encodeURIComponent(options.subject!)}${options.recordId ? `&record_id=${encodeURIComponent(options.recordId)}` : ''}`
    : `/v1/vaults/${vault}/uploads`;
  const stream = context.json ? undefined : (process.stderr as NodeJS.WriteStream);
  const bar =
    stream?.isTTY === true
      ? new cliProgress.SingleBar(
          { stream, format: '{bar} {percentage}% | {value}/{total} bytes', hideCursor: true },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  bar?.start(size, 0);
  let lastTenth = -1;
  const started = Date.now();
  try {
    const result = await context
      .client()
      .upload(path, type, createReadStream(file, { highWaterMark: 256 * 1024 }), await fileDigest(file), (sent) => {
        bar?.update(sent);
        const tenth = size > 0 ? Math.floor((sent / size) * 10) : 10;
        if (!bar && !context.json && tenth !== lastTenth) {
          lastTenth = tenth;
          context.err.line(`sent ${sent} of ${size} bytes (${tenth * 10}%)`);
        }
      });
    bar?.stop();
    if (context.json) {
      context.out.json(result);
      return 0;
    }
    const seconds = (Date.now() - started) / 1000;
    context.out.heading(`ingested ${file} into ${result.vault_id}`);
    context.out.line(
      renderPairs(
        [
          ['accepted', String(result.accepted)],
          ['duplicates', String(result.duplicates)],
          ['records in Vault', String(result.record_count)],
          ['bytes', String(result.bytes)],
          ['rate', `${Math.round(result.accepted / Math.max(seconds, 0.001))} records/s`],
          ...(result.record_id ? ([['record id', result.record_id]] as [string, string][]) : []),
        ],
        '  ',
      ),
    );
    return 0;
  } finally {
    bar?.stop();
  }
}

/** The file's `Content-Digest` (`sha-256=:<base64>:`), read once before the upload streams it. */
async function fileDigest(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return `sha-256=:${hash.digest('base64')}:`;
}
