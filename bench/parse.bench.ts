/**
 * Parse benchmark: time per receipt (p50/p95) and field accuracy on receipts rendered from a seed
 * (noisy images through OCR, PDFs through their text layer), beside a baseline in the same run:
 *   B1  stock tesseract.js on the same images: its own Node worker script (core chosen by CPU
 *       feature detection), default page segmentation, same local model; text only, no extraction.
 * Parse = pinned OCR worker + deterministic extractor + hashes. Cold start (worker creation and
 * the first image) is reported apart; p50/p95 are over warm images.
 * Usage: npx tsx bench/parse.bench.ts [--seed 2] [--images 48] [--pdfs 12] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createWorker, OEM } from 'tesseract.js';
import { extractReceipt } from '../packages/node/src/execution/parse/extract-receipt.ts';
import { OcrEngine, parseDocument } from '../packages/node/src/execution/parse/parse-document.ts';
import {
  type RenderedReceipt,
  renderReceiptImage,
  renderReceiptPdf,
} from '../packages/node/test/support/receipt-generator.ts';
import { argValue, machine, median, percentile } from './bench-util.ts';

const require = createRequire(import.meta.url);
const seed = Number(argValue('--seed') ?? 2);
const imageCount = Number(argValue('--images') ?? 48);
const pdfCount = Number(argValue('--pdfs') ?? 12);
const jsonPath = argValue('--json');
const load0 = loadavg()[0]!;

const renderStart = performance.now();
const images = Array.from({ length: imageCount }, (_, i) => renderReceiptImage(seed, i));
const pdfs = await Promise.all(Array.from({ length: pdfCount }, (_, i) => renderReceiptPdf(seed, i)));
const renderMs = performance.now() - renderStart;

type Score = { total: number; date: number; merchant: number; n: number };
const score = (): Score => ({ total: 0, date: 0, merchant: 0, n: 0 });

async function runParse(docs: readonly RenderedReceipt[], ocr: OcrEngine, s: Score): Promise<number[]> {
  const times: number[] = [];
  for (const [i, doc] of docs.entries()) {
    const t0 = performance.now();
    const { fields } = await parseDocument(
      { document_id: `rec_bench-${i}`, media_type: doc.media_type, bytes: doc.bytes },
      '1.0.0',
      ocr,
    );
    times.push(performance.now() - t0);
    s.n++;
    if (fields.total_amount === doc.truth.total) s.total++;
    if (fields.date === doc.truth.date) s.date++;
    if (fields.merchant === doc.truth.merchant) s.merchant++;
  }
  return times;
}

// Parse over images: cold start apart, then warm images.
const ocr = new OcrEngine();
const imageScore = score();
const coldStart = performance.now();
await runParse(images.slice(0, 1), ocr, imageScore);
const coldMs = performance.now() - coldStart;
const warmParse = await runParse(images.slice(1), ocr, imageScore);
await ocr.close();

// PDFs.
const pdfScore = score();
await runParse(pdfs.slice(0, 1), new OcrEngine(), score());
const pdfTimes = await runParse(pdfs, new OcrEngine(), pdfScore);

// Extractor alone, on the texts Parse read (pure function cost).
const ocr2 = new OcrEngine();
const texts: string[] = [];
for (const doc of images.slice(0, 8)) texts.push(await ocr2.recognize(doc.bytes));
await ocr2.close();
const ex0 = performance.now();
for (let r = 0; r < 200; r++) for (const t of texts) extractReceipt(t);
const extractMs = (performance.now() - ex0) / (200 * texts.length);

// B1: stock tesseract.js, same images, same model files.
const lang = require('@tesseract.js-data/eng') as { langPath: string; gzip: boolean };
const stock = await createWorker('eng', OEM.LSTM_ONLY, {
  langPath: lang.langPath,
  gzip: lang.gzip,
  cacheMethod: 'none',
});
await stock.recognize(Buffer.from(images[0]!.bytes));
const warmStock: number[] = [];
for (const doc of images.slice(1)) {
  const t0 = performance.now();
  await stock.recognize(Buffer.from(doc.bytes));
  warmStock.push(performance.now() - t0);
}
await stock.terminate();

const load1 = loadavg()[0]!;
const pct = (s: Score, k: 'total' | 'date' | 'merchant') => `${((100 * s[k]) / s.n).toFixed(1)}% (${s[k]}/${s.n})`;
const f = (x: number) => x.toFixed(1);
const rows = [
  ['Parse, image (pinned OCR + extractor)', warmParse],
  ['B1 stock tesseract.js recognize, image', warmStock],
  ['Parse, PDF (text layer + extractor)', pdfTimes],
] as const;

console.log(`machine: ${machine()}; load average ${load0.toFixed(2)} at start, ${load1.toFixed(2)} at end`);
console.log(`seed ${seed}: ${imageCount} images, ${pdfCount} PDFs rendered in ${f(renderMs)} ms\n`);
console.log('| per receipt | n | p50 ms | p95 ms | mean ms | p50 ratio to B1 |');
console.log('| --- | --: | --: | --: | --: | --: |');
for (const [name, xs] of rows) {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(
    `| ${name} | ${xs.length} | ${f(median(xs))} | ${f(percentile(xs, 95))} | ${f(mean)} | ${(median(xs) / median(warmStock)).toFixed(2)} |`,
  );
}
console.log(
  `\ncold start (worker creation + first image): ${f(coldMs)} ms; extractor alone: ${extractMs.toFixed(3)} ms per text`,
);
console.log('\n| fields exact | total | date | merchant |');
console.log('| --- | --: | --: | --: |');
console.log(`| images | ${pct(imageScore, 'total')} | ${pct(imageScore, 'date')} | ${pct(imageScore, 'merchant')} |`);
console.log(`| PDFs | ${pct(pdfScore, 'total')} | ${pct(pdfScore, 'date')} | ${pct(pdfScore, 'merchant')} |`);

const result = {
  machine: machine(),
  load: [load0, load1],
  seed,
  cold_ms: coldMs,
  extract_ms: extractMs,
  rows: rows.map(([name, xs]) => ({ name, n: xs.length, p50: median(xs), p95: percentile(xs, 95) })),
  accuracy: { images: imageScore, pdfs: pdfScore },
};
if (jsonPath) writeFileSync(jsonPath, JSON.stringify(result, null, 2));
else console.log(JSON.stringify(result));
