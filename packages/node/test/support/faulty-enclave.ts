/**
 * A test-only compromised enclave: every tenth execution (the 3rd, 13th, 23rd, ...) returns a
 * subtly wrong result (one number off by a little), the rest are honest. It records which tasks it
 * corrupted so a test can play the watcher who noticed.
 */
import type { ExecutionFault } from '../../src/execution/execute-task.ts';

/** Adds one to the first number (or decimal string) in an output: a subtly wrong result. */
export function subtlyWrong(output: unknown): unknown {
  let done = false;
  const walk = (v: unknown): unknown => {
    if (done) return v;
    if (typeof v === 'number') {
      done = true;
      return v + 1;
    }
    if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) {
      done = true;
      return v.includes('.') ? `${v}1` : String(BigInt(v) + 1n);
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const out = walk(structuredClone(output));
  if (!done) throw new Error('output has no number to falsify');
  return out;
}

/** The compromised enclave: every tenth execution (the 3rd, 13th, ...) is subtly wrong. */
export function oneInTen(): ExecutionFault & { corrupted: string[] } {
  let runs = 0;
  const corrupted: string[] = [];
  const fault = (task_id: string, _attempt: number, output: unknown) => {
    runs++;
    if (runs % 10 !== 3) return undefined;
    corrupted.push(task_id);
    return subtlyWrong(output);
  };
  return Object.assign(fault, { corrupted });
}
