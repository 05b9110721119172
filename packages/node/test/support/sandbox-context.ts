/** A replay context for sandbox tests that run programs directly (`runSandboxed`). */
import type { SandboxContext } from '../../src/execution/sandbox/quickjs-sandbox.ts';

export function sandboxContext(task_id: string): SandboxContext {
  return {
    task_id,
    epoch_id: 1,
    semantic_version: '1.0.0',
    policy_version: 1,
    seed: 'ab'.repeat(32),
    now_ms: 1_795_000_000_000,
    k_min: 5,
  };
}
