/**
 * Compute with a submitted program: check the program's identity and approval, select the rows the
 * task's filter admits, suppress below `k_min` distinct subjects, run the program in the sandbox
 * over one JSON string of rows, and refuse any output the release policy forbids.
 */
import { type Condition, canonicalBytes, EncodingError, sha256Hex, type TaskEnvelope } from '@symphony/protocol';
import { matches, type Row } from '../builtin-operators.ts';
import { type DerivedFeatures, splitDerived } from './derived-features.ts';
import { outputViolation } from './output-policy.ts';
import { DEFAULT_SANDBOX_LIMITS, runSandboxed, type SandboxContext, type SandboxLimits } from './quickjs-sandbox.ts';
import { SandboxRejected } from './sandbox-rejection.ts';

export type SandboxProgramSpec = Extract<
  Extract<TaskEnvelope['spec'], { kind: 'compute' }>['program'],
  { type: 'sandbox' }
>;

/**
 * Decides whether a Vault's policy allows a program (by its SHA-256 code hash) to run over its
 * records for a task (approvals by protocol event count as of the task's admission).
 */
export type ProgramApproval = (vault_id: string, code_hash: string, task_id: string) => boolean;

/** Resource use of one sandboxed run (deterministic: equal replay context, equal figures). */
export type SandboxUsage = { fuel_used: number; memory_peak_bytes: number };

export type SandboxComputeResult = {
  output: unknown;
  contributors: Map<string, number>;
  usage: SandboxUsage;
  /** Per-subject features a program that `derives` computed: they stay in the Vault. */
  derived?: DerivedFeatures[];
};

/** Outputs nest at most this deep (the host walks them recursively). */
export const MAX_OUTPUT_DEPTH = 64;

/** The deepest array/object nesting of a JSON text, scanned without recursion. */
function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) max = Math.max(max, ++depth);
    else if (c === 93 || c === 125) depth--;
  }
  return max;
}

/** Verifies identity and approval before any row is read; throws {@link SandboxRejected}. */
export function checkProgramAllowed(
  program: SandboxProgramSpec,
  vaultIds: readonly string[],
  approved: ProgramApproval,
  task_id = '',
): string {
  if (program.source === undefined) throw new SandboxRejected('program_source_missing', 'no source');
  if (sha256Hex(new TextEncoder().encode(program.source)) !== program.code_hash)
    throw new SandboxRejected('program_hash_mismatch', 'sha256(source) differs from code_hash');
  const refusing = vaultIds.find((v) => !approved(v, program.code_hash, task_id));
  if (refusing !== undefined) throw new SandboxRejected('program_not_approved', refusing);
  return program.source;
}

/** Runs an approved program over already-authorized rows. */
export async function runSandboxCompute(
  source: string,
  program: SandboxProgramSpec,
  filter: readonly Condition[],
  rows: readonly Row[],
  context: SandboxContext,
  limits: SandboxLimits = DEFAULT_SANDBOX_LIMITS,
): Promise<SandboxComputeResult> {
  const selected = rows.filter((r) => filter.every((c) => matches(r, c, context.now_ms)));
  const contributors = new Map<string, number>();
  for (const r of selected) contributors.set(r.subject, (contributors.get(r.subject) ?? 0) + 1);
  if (contributors.size < context.k_min) {
    return {
      output: { program: program.code_hash, suppressed: true, reason: 'below_k_min' },
      contributors: new Map(),
      usage: { fuel_used: 0, memory_peak_bytes: 0 },
    };
  }
  const run = await runSandboxed(source, selected, context, {
    ...limits,
    outputBytes: Math.min(limits.outputBytes, program.max_output_bytes),
  });
  if (jsonDepth(run.outputJson) > MAX_OUTPUT_DEPTH)
    throw new SandboxRejected('sandbox_invalid_output', `output nests deeper than ${MAX_OUTPUT_DEPTH}`);
  const returned: unknown = JSON.parse(run.outputJson);
  // A deriving program's features stay in the Vault: only `release` (and their count) is released.
  const split = program.derives ? splitDerived(returned, program.derives, selected) : undefined;
  const output: unknown = split ? { release: split.release, derived_records_written: split.derived.length } : returned;
  const violation = outputViolation(split ? split.release : output, selected, context.k_min);
  if (violation) throw new SandboxRejected(violation, 'output refused by the release policy');
  try {
    canonicalBytes(output);
  } catch (error) {
    // Outputs are hashed canonically, which admits integers only: decimals travel as strings.
    if (error instanceof EncodingError) throw new SandboxRejected('sandbox_invalid_output', error.message);
    throw error;
  }
  return {
    output,
    contributors,
    usage: { fuel_used: run.fuelUsed, memory_peak_bytes: run.memoryPeakBytes },
    ...(split ? { derived: split.derived } : {}),
  };
}
