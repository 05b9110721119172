/**
 * Escape tests: programs that try to leave the sandbox, exhaust it, or observe non-determinism are
 * contained, each with its own stable rejection reason.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXECUTION_REJECTION_REASONS } from '@symphony/protocol';
import {
  DEFAULT_SANDBOX_LIMITS,
  runSandboxed,
  type SandboxLimits,
} from '../../src/execution/sandbox/quickjs-sandbox.ts';
import { SandboxRejected } from '../../src/execution/sandbox/sandbox-rejection.ts';
import { sandboxContext } from '../support/sandbox-context.ts';

const ctx = sandboxContext('tsk_escape');
const rows = Array.from({ length: 10 }, (_, i) => ({ subject: `act_sub-${i}`, fields: { total_amount: `${i}.50` } }));
// Small budgets keep the contained runs short; the defaults are exercised by the other tests.
const limits: SandboxLimits = { ...DEFAULT_SANDBOX_LIMITS, fuel: 500, memoryBytes: 8 * 1024 * 1024, outputBytes: 4096 };

const program = (body: string) => `export default function run(rows, ctx) { ${body} }`;

async function rejection(source: string): Promise<string> {
  try {
    const run = await runSandboxed(source, rows, ctx, limits);
    return `accepted: ${run.outputJson}`;
  } catch (error) {
    if (error instanceof SandboxRejected) return error.code;
    throw error;
  }
}

const cases: [string, string, string][] = [
  ['process', program('return process.env'), 'sandbox_host_access_denied'],
  ['probing process with typeof', program("return typeof process === 'undefined'"), 'sandbox_host_access_denied'],
  [
    'process through the Function constructor',
    program("return Function('return this')().process"),
    'sandbox_host_access_denied',
  ],
  ['require', program("return require('fs').readFileSync('/etc/passwd', 'utf8')"), 'sandbox_host_access_denied'],
  [
    'require, error swallowed',
    program("try { require('child_process') } catch (e) {} return 1"),
    'sandbox_host_access_denied',
  ],
  [
    'static import of the file system',
    "import fs from 'node:fs'; export default function run() { return 1 }",
    'sandbox_import_denied',
  ],
  ['dynamic import()', program("import('node:fs').catch(() => 0); return 1"), 'sandbox_import_denied'],
  ['the network through fetch', program("fetch('http://127.0.0.1:4222'); return 1"), 'sandbox_host_access_denied'],
  ['the network through XMLHttpRequest', program('return new XMLHttpRequest()'), 'sandbox_host_access_denied'],
  ['timers', program('setTimeout(() => 0, 0); return 1'), 'sandbox_host_access_denied'],
  ['console output', program("console.log('x'); return 1"), 'sandbox_host_access_denied'],
  ['an infinite loop', program('for (;;) {}'), 'sandbox_fuel_exhausted'],
  [
    'an infinite loop in a promise job',
    program('Promise.resolve().then(() => { for (;;) {} }); return 1'),
    'sandbox_fuel_exhausted',
  ],
  ['a memory bomb', program("const a = []; for (;;) a.push('x'.repeat(1 << 16) + a.length)"), 'sandbox_memory_limit'],
  ['unbounded recursion', program('const f = (n) => f(n + 1) + 1; return f(0)'), 'sandbox_stack_limit'],
  ['a giant output', program("return 'x'.repeat(100000)"), 'sandbox_output_too_large'],
  ['a GC-dependent WeakRef', program('return new WeakRef({}).deref() !== undefined'), 'sandbox_nondeterminism_denied'],
  ['a FinalizationRegistry', program('new FinalizationRegistry(() => 0); return 1'), 'sandbox_nondeterminism_denied'],
  [
    'SharedArrayBuffer and Atomics',
    program('return Atomics.load(new Int32Array(4), 0)'),
    'sandbox_nondeterminism_denied',
  ],
  ['a syntax error', 'export default function run( {', 'sandbox_program_invalid'],
  ['no default export', 'export const run = () => 1', 'sandbox_program_invalid'],
  ['an async program', 'export default async function run() { return 1 }', 'sandbox_invalid_output'],
  ['a thrown error', program("throw new Error('boom')"), 'sandbox_program_error'],
];

describe('sandbox escape tests', () => {
  for (const [what, source, code] of cases) {
    it(`contains ${what} with ${code}`, async () => {
      assert.ok(code in EXECUTION_REJECTION_REASONS, `${code} is a catalogued reason`);
      assert.equal(await rejection(source), code);
    });
  }

  it("shows a program only the sandbox's own globals: none of the host's, and none of its writes leak out", async () => {
    (globalThis as Record<string, unknown>).hostSecret = 's3cret';
    try {
      const run = await runSandboxed(
        program(
          'globalThis.leaked = 1; return { names: Object.getOwnPropertyNames(globalThis).sort(), secret: typeof globalThis.hostSecret }',
        ),
        rows,
        ctx,
        limits,
      );
      const out = JSON.parse(run.outputJson) as { names: string[]; secret: string };
      assert.equal(out.secret, 'undefined');
      // Host names such as process or require exist only as fences that refuse access (tested above).
      for (const host of ['hostSecret', 'WebAssembly', 'TextDecoder', 'URL', 'crypto', 'structuredClone'])
        assert.ok(!out.names.includes(host), `${host} is not a global of the sandbox`);
      assert.equal((globalThis as Record<string, unknown>).leaked, undefined);
    } finally {
      delete (globalThis as Record<string, unknown>).hostSecret;
    }
  });

  it('pins the clock to the replay time and seeds Math.random from the replay seed', async () => {
    const source = program(`
      const d = new Date();
      return {
        now: Date.now(), iso: d.toISOString(), ctor: new (d.constructor)().getTime(), str: Date() === new Date(ctx.now_ms).toString(),
        random: [Math.random(), Math.random(), Math.random()],
        keys: Object.keys({ b: 1, 10: 1, a: 1, 2: 1 }), set: [...new Set(['z', 'a', 'm'])],
        sorted: rows.map((r) => r.subject).sort(() => 0).slice(0, 3),
      };`);
    const first = await runSandboxed(source, rows, ctx, limits);
    const second = await runSandboxed(source, rows, ctx, limits);
    const reseeded = await runSandboxed(source, rows, { ...ctx, seed: 'cd'.repeat(32) }, limits);
    assert.equal(first.outputJson, second.outputJson);
    assert.equal(first.fuelUsed, second.fuelUsed);
    assert.equal(first.memoryPeakBytes, second.memoryPeakBytes);
    const out = JSON.parse(first.outputJson);
    assert.equal(out.now, ctx.now_ms);
    assert.equal(out.ctor, ctx.now_ms);
    assert.equal(out.iso, new Date(ctx.now_ms).toISOString());
    assert.equal(out.str, true);
    assert.deepEqual(out.keys, ['2', '10', 'b', 'a']);
    assert.deepEqual(out.set, ['z', 'a', 'm']);
    assert.notDeepEqual(JSON.parse(reseeded.outputJson).random, out.random);
    for (const r of out.random) assert.ok(r >= 0 && r < 1);
  });
});
