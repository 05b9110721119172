/** The golden vector layout shared by the generator and the runner. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The vectors folder; `SCS_VECTORS_DIR` points the runner at a copy (the tamper test uses it). */
export const VECTORS_DIR = process.env.SCS_VECTORS_DIR ?? join(import.meta.dirname, 'vectors');
export const MANIFEST = 'MANIFEST.sha256';

/** The vector kinds the runner knows; any other folder fails the run. */
export const VECTOR_KINDS = ['canonical-encoding', 'merkle', 'reducer', 'settlement', 'rewards'] as const;
export type VectorKind = (typeof VECTOR_KINDS)[number];

/** The one byte layout of a vector file: 2-space JSON and a final newline. */
export function serializeVector(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Every file under a vectors folder (relative paths), the manifest excluded. */
export function vectorFiles(root = VECTORS_DIR): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (relative(root, p) !== MANIFEST) out.push(relative(root, p));
    }
  };
  walk(root);
  return out;
}

/** `sha256  path` lines for every vector file. */
export function renderManifest(root = VECTORS_DIR): string {
  return vectorFiles(root)
    .map((f) => `${sha256File(join(root, f))}  ${f}\n`)
    .join('');
}
