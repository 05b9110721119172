/**
 * Runs each sandbox probe given as JSON on argv (`[{ source, memoryBytes }]`) once, in this fresh
 * process, each on a new WebAssembly memory (every probe has its own memory limit, so its own
 * maximum, and no memory is reused between them), and prints the runs or rejection codes as JSON.
 */
import { pathToFileURL } from 'node:url';
import type { Row } from '../../src/execution/builtin-operators.ts';
import {
  DEFAULT_SANDBOX_LIMITS,
  runSandboxed,
  sandboxMemoriesCreated,
} from '../../src/execution/sandbox/quickjs-sandbox.ts';
import { SandboxRejected } from '../../src/execution/sandbox/sandbox-rejection.ts';
import { sandboxContext } from './sandbox-context.ts';

export type Probe = { source: string; memoryBytes: number; rowCount: number };

export function probeRows(n: number): Row[] {
  return Array.from({ length: n }, (_, i) => ({
    subject: `act_${i % 211}`,
    fields: { category: i % 3 ? 'coffee' : 'tea', amount: `${i % 11}.50`, at: `2026-11-${10 + (i % 17)}` },
  }));
}

export async function runProbe(probe: Probe): Promise<unknown> {
  try {
    return await runSandboxed(probe.source, probeRows(probe.rowCount), sandboxContext('tsk_fresh_memory'), {
      ...DEFAULT_SANDBOX_LIMITS,
      fuel: 1_000_000,
      memoryBytes: probe.memoryBytes,
    });
  } catch (error) {
    if (error instanceof SandboxRejected) return { rejected: error.code };
    throw error;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const probes = JSON.parse(process.argv[2] ?? '[]') as Probe[];
  const results: unknown[] = [];
  for (const probe of probes) {
    const before = sandboxMemoriesCreated();
    results.push(await runProbe(probe));
    if (sandboxMemoriesCreated() !== before + 1) throw new Error('a probe did not get a new memory');
  }
  process.stdout.write(JSON.stringify(results));
}
