/**
 * A worker thread of this process that seals parts of record batches (`sealRecordsPart`) and wraps
 * their new subject keys (`wrapSubjectKeys`), so the node's main thread can insert one part into
 * PGlite while the next is being sealed on another core. The worker is in-process: keys go to it
 * in a transferred buffer and never leave the node. Its source is those functions themselves (no
 * second copy of the sealing code); it is started on first use, shared by the node's record
 * stores, and does not keep the process alive when idle.
 * If it fails, the pending parts are rejected (their batches roll back) and the next use starts a
 * new one.
 */
import * as crypto from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { type SealJob, sealRecordsPart, type WrapJob, wrapSubjectKeys } from './seal-records.ts';

// `__name`: a TypeScript loader that keeps function names (tsx) wraps the inner functions of
// `sealRecordsPart` and `wrapSubjectKeys` in calls to its own helper, absent from this separate source.
const SOURCE = `
const __name = (f) => f;
const crypto = require('node:crypto');
const { parentPort } = require('node:worker_threads');
const tasks = { seal: ${sealRecordsPart.toString()}, wrap: ${wrapSubjectKeys.toString()} };
parentPort.on('message', ({ id, task, job }) => {
  try {
    const rows = tasks[task](crypto, job);
    parentPort.postMessage({ id, rows }, [rows.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message) });
  }
});
`;

type Pending = { resolve: (rows: Uint8Array) => void; reject: (error: Error) => void };

class SealWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #failed: Error | undefined;

  constructor(onGone: () => void) {
    this.#worker = new Worker(SOURCE, { eval: true });
    this.#worker.unref();
    this.#worker.on('message', (m: { id: number; rows?: Uint8Array; error?: string }) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#settled(m.id);
      if (m.rows) p.resolve(m.rows);
      else p.reject(new Error(`sealing failed: ${m.error}`));
    });
    const fail = (error: Error) => {
      if (this.#failed) return;
      this.#failed = error;
      onGone();
      for (const p of this.#pending.values()) p.reject(error);
      this.#pending.clear();
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`the sealing worker exited (${code})`)));
  }

  #settled(id: number) {
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#worker.unref();
  }

  run(task: 'seal' | 'wrap', job: SealJob | WrapJob): Promise<Uint8Array> {
    if (this.#failed) return Promise.reject(this.#failed);
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, task, job }, 'layout' in job ? [job.keys, job.layout] : [job.keys]);
    });
  }
}

let shared: SealWorker | undefined;

const worker = () =>
  (shared ??= new SealWorker(() => {
    shared = undefined;
  }));

/** Seals a part in the sealing worker; resolves to its rows (in the job's format). */
export function sealInWorker(job: SealJob): Promise<Uint8Array> {
  return worker().run('seal', job);
}

/** Seals a part on the calling thread (small batches, where a round trip to the worker costs more). */
export function sealHere(job: SealJob): Uint8Array {
  return sealRecordsPart(crypto, job);
}

/** Wraps new subject keys in the sealing worker (after the parts sent before); resolves to their rows. */
export function wrapInWorker(job: WrapJob): Promise<Uint8Array> {
  return worker().run('wrap', job);
}

/** Wraps new subject keys on the calling thread. */
export function wrapHere(job: WrapJob): Uint8Array {
  return wrapSubjectKeys(crypto, job);
}
