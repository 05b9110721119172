'use strict';
/**
 * The OCR worker thread of Parse: tesseract.js's own Node worker script with two pins.
 * 1. The engine core is always `tesseract-core-simd-lstm` (fixed-width SIMD, LSTM only), never
 *    chosen by CPU feature detection: relaxed SIMD may give hardware-dependent floating results,
 *    which would break replay determinism.
 * 2. `fetch` is refused: language data comes only from the local `@tesseract.js-data/eng` files.
 */
const { parentPort } = require('node:worker_threads');
const zlib = require('node:zlib');
const fs = require('node:fs');
const worker = require('tesseract.js/src/worker-script');

let core = null;

parentPort.on('message', (packet) => {
  worker.dispatchHandlers(packet, (obj) => parentPort.postMessage(obj));
});

worker.setAdapter({
  getCore: async (_oem, _corePath, res) => {
    if (core === null) {
      res.progress({ status: 'loading tesseract core', progress: 0 });
      core = require('tesseract.js-core/tesseract-core-simd-lstm');
      res.progress({ status: 'loading tesseract core', progress: 1 });
    }
    return core;
  },
  gunzip: zlib.gunzipSync,
  fetch: async (url) => {
    throw new Error(`network access refused by the Parse OCR worker: ${String(url)}`);
  },
  readCache: fs.promises.readFile,
  writeCache: async () => {},
  deleteCache: async () => {},
  checkCache: async () => false,
});
