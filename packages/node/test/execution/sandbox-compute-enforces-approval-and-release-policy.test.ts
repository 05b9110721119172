/**
 * Compute with a submitted program: the code hash must match the source and be approved by every
 * target Vault before any row is read, results below k_min distinct subjects are suppressed, and
 * outputs that would release raw records are refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256Hex } from '@symphony/protocol';
import type { Row } from '../../src/execution/builtin-operators.ts';
import {
  checkProgramAllowed,
  runSandboxCompute,
  type SandboxProgramSpec,
} from '../../src/execution/sandbox/compute-program.ts';
import { OUTPUT_LEAF_ALLOWANCE, outputViolation } from '../../src/execution/sandbox/output-policy.ts';
import { SandboxRejected } from '../../src/execution/sandbox/sandbox-rejection.ts';

const ctx = {
  task_id: 'tsk_policy',
  epoch_id: 1,
  semantic_version: '1.0.0',
  policy_version: 1,
  seed: '12'.repeat(32),
  now_ms: Date.parse('2026-11-28T00:00:00Z'),
  k_min: 5,
};
const rows: Row[] = Array.from({ length: 24 }, (_, i) => ({
  subject: `act_sub-${i % 8}`,
  fields: { category: i % 2 ? 'coffee' : 'tea', total_amount: `${i + 1}.25` },
}));

const programOf = (source: string, max_output_bytes = 4096): SandboxProgramSpec => ({
  type: 'sandbox',
  code_hash: sha256Hex(new TextEncoder().encode(source)),
  max_output_bytes,
  source,
});

async function outcome(source: string, input: readonly Row[] = rows, max = 4096): Promise<unknown> {
  try {
    return (await runSandboxCompute(source, programOf(source, max), [], input, ctx)).output;
  } catch (error) {
    if (error instanceof SandboxRejected) return error.code;
    throw error;
  }
}

const refusal = (f: () => unknown) => {
  try {
    f();
    return 'allowed';
  } catch (error) {
    if (error instanceof SandboxRejected) return error.code;
    throw error;
  }
};

describe('program identity and approval', () => {
  const source = 'export default function run(rows) { return { n: rows.length } }';
  const program = programOf(source);
  it('runs only a program approved by every target Vault', () => {
    const approved = (v: string, h: string) => v === 'vlt_a' && h === program.code_hash;
    assert.equal(
      refusal(() => checkProgramAllowed(program, ['vlt_a'], approved)),
      'allowed',
    );
    assert.equal(
      refusal(() => checkProgramAllowed(program, ['vlt_a', 'vlt_b'], approved)),
      'program_not_approved',
    );
    assert.equal(
      refusal(() => checkProgramAllowed(program, ['vlt_a'], () => false)),
      'program_not_approved',
    );
  });
  it('refuses a source whose SHA-256 differs from the declared code hash, and a missing source', () => {
    const tampered = { ...program, source: `${source} ` };
    assert.equal(
      refusal(() => checkProgramAllowed(tampered, ['vlt_a'], () => true)),
      'program_hash_mismatch',
    );
    const { source: _omitted, ...bare } = program;
    assert.equal(
      refusal(() => checkProgramAllowed(bare, ['vlt_a'], () => true)),
      'program_source_missing',
    );
  });
});

describe('the release policy of sandboxed outputs', () => {
  it('releases a per-task aggregate', async () => {
    const out = await outcome(
      'export default function run(rows) { return { records: rows.length, subjects: new Set(rows.map((r) => r.subject)).size } }',
    );
    assert.deepEqual(out, { records: 24, subjects: 8 });
  });
  it('suppresses a result resting on fewer than k_min distinct subjects without running the program', async () => {
    const few = rows.filter((r) => ['act_sub-1', 'act_sub-2'].includes(r.subject));
    const out = await outcome('export default function run() { for (;;) {} }', few);
    assert.deepEqual(out, {
      program: programOf('export default function run() { for (;;) {} }').code_hash,
      suppressed: true,
      reason: 'below_k_min',
    });
  });
  it('refuses returning the rows themselves', async () => {
    assert.equal(await outcome('export default function run(rows) { return rows }'), 'output_contains_subject');
  });
  it('refuses subject identifiers used as keys', async () => {
    const source =
      'export default function run(rows) { const o = {}; for (const r of rows) o[r.subject] = 1; return o }';
    assert.equal(await outcome(source), 'output_contains_subject');
  });
  it('refuses a raw row without its subject, even with renamed keys', async () => {
    assert.equal(
      await outcome('export default function run(rows) { return { sample: rows[3].fields } }'),
      'output_contains_record',
    );
    assert.equal(
      await outcome(
        'export default function run(rows) { const f = rows[5].fields; return { x: [f.total_amount, f.category] } }',
      ),
      'output_contains_record',
    );
  });
  it('refuses per-row values beyond the row-per-subject ratio', async () => {
    assert.equal(
      await outcome('export default function run(rows) { return rows.map((r) => Number(r.fields.total_amount) * 2) }', [
        ...rows,
        ...rows,
        ...rows,
      ]),
      'output_too_granular',
    );
  });
  it('refuses a non-integer number in the output, which canonical hashing cannot carry', async () => {
    assert.equal(await outcome('export default function run() { return { share: 0.5 } }'), 'sandbox_invalid_output');
    assert.deepEqual(await outcome("export default function run() { return { share: '0.5' } }"), { share: '0.5' });
  });
  it('refuses an output nested deeper than the host walks', async () => {
    const deep = 'export default function run() { let o = 1; for (let i = 0; i < 2000; i++) o = [o]; return o }';
    assert.equal(await outcome(deep, rows, 1_048_576), 'sandbox_invalid_output');
    const ok = 'export default function run() { let o = 1; for (let i = 0; i < 10; i++) o = { a: [o] }; return o }';
    assert.equal(typeof (await outcome(ok)), 'object');
  });
  it('caps the output at the spec max_output_bytes', async () => {
    assert.equal(
      await outcome("export default function run() { return 'x'.repeat(200) }", rows, 100),
      'sandbox_output_too_large',
    );
  });
  it('counts leaves against the allowance plus one per k_min subjects', () => {
    const leaves = (n: number) => Array.from({ length: n }, (_, i) => i * 1000 + 0.5);
    const allowed = OUTPUT_LEAF_ALLOWANCE + Math.floor(8 / 5);
    assert.equal(outputViolation(leaves(allowed), rows, 5), undefined);
    assert.equal(outputViolation(leaves(allowed + 1), rows, 5), 'output_too_granular');
  });
});
