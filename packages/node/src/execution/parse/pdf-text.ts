/**
 * The text layer of a PDF receipt through `unpdf` (pdf.js, serverless build), pinned to 1.7.
 * Text items are grouped into lines by their baseline (within 2 points), lines read top-down and
 * items left to right, so the extractor sees the same lines as in a rendered image.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { extractTextItems, getDocumentProxy } from 'unpdf';

const require = createRequire(import.meta.url);

/** The library version that decides PDF text (part of the code identity). */
export function pdfIdentity() {
  // unpdf's exports map hides package.json: read it next to the resolved entry (dist/..).
  const manifest = join(dirname(require.resolve('unpdf')), '..', 'package.json');
  return { unpdf: (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version };
}

type Item = { str: string; x: number; y: number };

function pageLines(items: readonly Item[]): string[] {
  const lines: { y: number; items: Item[] }[] = [];
  for (const item of items) {
    if (item.str.trim() === '') continue;
    const line = lines.find((l) => Math.abs(l.y - item.y) <= 2);
    if (line) line.items.push(item);
    else lines.push({ y: item.y, items: [item] });
  }
  return lines
    .sort((a, b) => b.y - a.y)
    .map((l) =>
      l.items
        .sort((a, b) => a.x - b.x)
        .map((i) => i.str.trim())
        .join(' '),
    );
}

/** The text of every page, one line per text line, pages separated by a blank line. */
export async function pdfText(bytes: Uint8Array): Promise<string> {
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  try {
    const { items } = await extractTextItems(pdf);
    return items.map((page) => pageLines(page).join('\n')).join('\n\n');
  } finally {
    await pdf.destroy();
  }
}
