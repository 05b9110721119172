/**
 * The OCR engine of Parse: one tesseract.js worker thread, created on first use and reused for
 * every image, fully offline. Pinned for replay: the `simd-lstm` core only (see
 * `ocr-worker-script.cjs`), LSTM engine, one fixed page segmentation mode and parameter set, the
 * English model from `@tesseract.js-data/eng` read from local files (network refused). The
 * engine's identity (versions, model hash, configuration) is part of Parse's code hash.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWorker, OEM, PSM, type Worker } from 'tesseract.js';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

/** The fixed OCR configuration (part of the code identity). */
export const OCR_CONFIG = {
  language: 'eng',
  oem: 'lstm_only',
  core: 'tesseract-core-simd-lstm',
  parameters: { tessedit_pageseg_mode: PSM.SINGLE_BLOCK, preserve_interword_spaces: '0', user_defined_dpi: '150' },
} as const;

const sha256File = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const versionOf = (pkg: string) => (require(`${pkg}/package.json`) as { version: string }).version;

/** Versions and file hashes that decide OCR output; computed once from the installed files. */
export function ocrIdentity() {
  const lang = require('@tesseract.js-data/eng') as { langPath: string; gzip: boolean };
  return {
    ...OCR_CONFIG,
    tesseract_js: versionOf('tesseract.js'),
    tesseract_core: versionOf('tesseract.js-core'),
    core_wasm_sha256: sha256File(require.resolve(`tesseract.js-core/${OCR_CONFIG.core}.wasm`)),
    model_sha256: sha256File(join(lang.langPath, 'eng.traineddata.gz')),
    worker_script_sha256: sha256File(join(here, 'ocr-worker-script.cjs')),
  };
}

/** Recognizes text in PNG/JPEG images; one worker thread, jobs run one at a time in arrival order. */
export class OcrEngine {
  #worker: Promise<Worker> | undefined;
  /** The tail of the job queue: one image at a time, in arrival order, on the one engine instance. */
  #queue: Promise<unknown> = Promise.resolve();

  async #start(): Promise<Worker> {
    const lang = require('@tesseract.js-data/eng') as { langPath: string; gzip: boolean };
    const worker = await createWorker(OCR_CONFIG.language, OEM.LSTM_ONLY, {
      langPath: lang.langPath,
      gzip: lang.gzip,
      cacheMethod: 'none',
      workerPath: join(here, 'ocr-worker-script.cjs'),
      corePath: require.resolve(`tesseract.js-core/${OCR_CONFIG.core}.js`),
      workerBlobURL: false,
    });
    await worker.setParameters(OCR_CONFIG.parameters);
    return worker;
  }

  /** The text of an image. */
  async recognize(image: Uint8Array): Promise<string> {
    const job = this.#queue.then(async () => {
      this.#worker ??= this.#start();
      const worker = await this.#worker;
      const result = await worker.recognize(Buffer.from(image));
      return result.data.text;
    });
    this.#queue = job.catch(() => undefined);
    return job;
  }

  /** Stops the worker thread (a later `recognize` starts a new one). */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) await (await worker).terminate();
  }
}
