/**
 * Streaming parsers for uploads at the API edge: NDJSON (one JSON record per line) and CSV
 * (RFC 4180: a header row, quoted fields may hold commas, quotes and line breaks). They read the
 * body chunk by chunk and yield batches, so memory is bounded by one batch whatever the file size.
 * A syntax error throws `UploadSyntaxError` naming the line; the value is never echoed.
 */

/** A malformed upload: the 1-based line and what is wrong there. */
export class UploadSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

/** The upload grew past its byte limit. */
export class UploadTooLarge extends Error {
  constructor(readonly limitBytes: number) {
    super(`the upload exceeds ${limitBytes} bytes`);
  }
}

/** Lines of a byte stream with their 1-based numbers; counts bytes against `limitBytes`. */
async function* lines(body: AsyncIterable<Buffer | string>, limitBytes: number): AsyncGenerator<[number, string]> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  let line = 0;
  let bytes = 0;
  for await (const chunk of body) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytes += buf.length;
    if (bytes > limitBytes) throw new UploadTooLarge(limitBytes);
    try {
      pending += decoder.decode(buf, { stream: true });
    } catch {
      throw new UploadSyntaxError(line + 1, 'the file is not valid UTF-8');
    }
    let at = pending.indexOf('\n');
    while (at >= 0) {
      line++;
      yield [line, pending.slice(0, at).replace(/\r$/, '')];
      pending = pending.slice(at + 1);
      at = pending.indexOf('\n');
    }
  }
  if (pending.length > 0) yield [line + 1, pending.replace(/\r$/, '')];
}

/** NDJSON records in batches: `{ first_line, records }`; blank lines are skipped. */
export async function* ndjsonBatches(
  body: AsyncIterable<Buffer | string>,
  batchSize: number,
  limitBytes: number,
): AsyncGenerator<{ first_line: number; records: unknown[] }> {
  let batch: unknown[] = [];
  let first = 0;
  let next = 1;
  for await (const [n, text] of lines(body, limitBytes)) {
    if (text.trim() === '') continue;
    // Record problems are reported by position in the batch; keep lines contiguous per batch.
    if (batch.length > 0 && n !== next) {
      yield { first_line: first, records: batch };
      batch = [];
    }
    if (batch.length === 0) first = n;
    try {
      batch.push(JSON.parse(text));
    } catch {
      throw new UploadSyntaxError(n, 'not a JSON object');
    }
    next = n + 1;
    if (batch.length >= batchSize) {
      yield { first_line: first, records: batch };
      batch = [];
    }
  }
  if (batch.length > 0) yield { first_line: first, records: batch };
}

/** Splits one CSV record that may continue over lines; returns the cells or undefined when a quote is open. */
function csvCells(text: string, line: number): string[] | undefined {
  const cells: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  let wasQuoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        if (i < text.length && text[i] !== ',') throw new UploadSyntaxError(line, 'a closing quote must end the field');
        continue;
      }
      cell += c;
      i++;
      continue;
    }
    if (c === ',') {
      cells.push(cell);
      cell = '';
      wasQuoted = false;
    } else if (c === '"') {
      if (cell !== '' || wasQuoted) throw new UploadSyntaxError(line, 'a quote inside an unquoted field');
      quoted = true;
      wasQuoted = true;
    } else cell += c;
    i++;
  }
  if (quoted) return undefined;
  cells.push(cell);
  return cells;
}

/** CSV rows in batches after the header: `{ columns, first_line, rows }` (cells as strings). */
export async function* csvBatches(
  body: AsyncIterable<Buffer | string>,
  batchSize: number,
  limitBytes: number,
): AsyncGenerator<{ columns: string[]; first_line: number; rows: string[][] }> {
  let columns: string[] | undefined;
  let rows: string[][] = [];
  let first = 0;
  let carry: { start: number; text: string } | undefined;
  for await (const [n, text] of lines(body, limitBytes)) {
    const start = carry?.start ?? n;
    const joined = carry ? `${carry.text}\n${text}` : text;
    const cells = csvCells(joined, start);
    if (cells === undefined) {
      carry = { start, text: joined };
      continue;
    }
    carry = undefined;
    if (!columns) {
      columns = cells.map((c) => c.trim());
      const dup = columns.find((c, i) => columns!.indexOf(c) !== i);
      if (dup !== undefined) throw new UploadSyntaxError(start, `the header names column ${dup} twice`);
      continue;
    }
    if (joined.trim() === '') continue;
    if (cells.length !== columns.length)
      throw new UploadSyntaxError(start, `expected ${columns.length} fields as in the header, found ${cells.length}`);
    if (rows.length === 0) first = start;
    rows.push(cells);
    if (rows.length >= batchSize) {
      yield { columns, first_line: first, rows };
      rows = [];
    }
  }
  if (carry) throw new UploadSyntaxError(carry.start, 'a quoted field is never closed');
  if (!columns) throw new UploadSyntaxError(1, 'the file has no header row');
  if (rows.length > 0) yield { columns, first_line: first, rows };
}
