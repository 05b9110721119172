/**
 * The sandbox copies strings into the QuickJS heap with Node's UTF-8 encoder (heap-strings.ts): it
 * must be in use with the pinned quickjs-emscripten, and every string must reach QuickJS exactly as
 * emscripten's own copy would give it, non-ASCII and lone surrogates included.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant, type QuickJSSyncVariant } from 'quickjs-emscripten-core';
import { useNativeHeapStrings } from '../../src/execution/sandbox/heap-strings.ts';
import { runSandboxed } from '../../src/execution/sandbox/quickjs-sandbox.ts';
import { sandboxContext } from '../support/sandbox-context.ts';

const variant = releaseSync as unknown as QuickJSSyncVariant;
const samples = [
  '',
  'plain ascii',
  'café ✓ 東京',
  '😀 emoji pair',
  'lone \ud800 high',
  'lone \udc00 low',
  'x'.repeat(70_000),
];

/** Each sample as QuickJS sees it: its length and UTF-16 code units, read back inside. */
async function seenInside(native: boolean): Promise<string[]> {
  const qjs = await newQuickJSWASMModuleFromVariant(variant);
  const module = (qjs as unknown as { module: { lengthBytesUTF8: unknown; HEAPU8: { buffer: ArrayBuffer } } }).module;
  const before = module.lengthBytesUTF8;
  if (native) {
    useNativeHeapStrings(qjs, {
      get buffer() {
        return module.HEAPU8.buffer;
      },
    });
    assert.notEqual(module.lengthBytesUTF8, before, 'the native copy is installed');
  }
  const vm = qjs.newContext();
  try {
    return samples.map((s) => {
      const h = vm.newString(s);
      vm.setProp(vm.global, 's', h);
      h.dispose();
      const r = vm.unwrapResult(vm.evalCode('Array.from({ length: s.length }, (_, i) => s.charCodeAt(i)).join(",")'));
      const text = vm.getString(r);
      r.dispose();
      return text;
    });
  } finally {
    vm.dispose();
  }
}

describe('sandbox heap strings', () => {
  it('gives QuickJS the same code units as emscripten copy does', async () => {
    const expected = samples.map((s) => Array.from({ length: s.length }, (_, i) => s.charCodeAt(i)).join(','));
    assert.deepEqual(await seenInside(false), expected);
    assert.deepEqual(await seenInside(true), expected);
  });

  it('carries non-ASCII rows and program literals through a sandboxed run', async () => {
    const ctx = sandboxContext('tsk_strings');
    const rows = [
      { subject: 'act_é', fields: { merchant: 'Café ✓ 😀' } },
      { subject: 'act_\ud800', fields: { merchant: 'lone \udfff' } },
    ];
    const source = `export default function run(rows) {
      return rows.map((r) => [r.subject, r.fields.merchant, r.fields.merchant.length]).concat(['東京', '\ud800'.length]);
    }`;
    const run = await runSandboxed(source, rows, ctx);
    assert.equal(
      run.outputJson,
      JSON.stringify([...rows.map((r) => [r.subject, r.fields.merchant, r.fields.merchant.length]), '東京', 1]),
    );
  });
});
