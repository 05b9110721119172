/**
 * Asks the enterprise node hosting a task's Vaults to re-execute it from its sealed transcript
 * (same snapshots, same program, same replay context) in a fresh run of the executor runtime, and
 * returns the hashes of that independent run with the original sealed transcript.
 */
import type { ExecutionReceipt, ParameterSet, ProtocolState, TaskEnvelope } from '@symphony/protocol';
import { type Backoff, DEFAULT_BACKOFF, requestUntilAnswered } from '../coordination/retry.ts';
import type { Bus } from '../ports/bus.ts';
import { resolveTask } from '../semantic/resolve-task.ts';
import { enterpriseSubjects, type ReexecuteReply, type ReexecuteRequest } from '../wire/enterprise-rpc.ts';

export type ReexecuteOptions = {
  bus: Bus;
  requestTimeoutMs?: number;
  backoff?: Backoff;
  stillWanted: () => boolean;
  onError?: (what: string, error: unknown) => void;
};

/** Re-executes; undefined when the resolution no longer matches the task or nobody answered in time. */
export async function reexecuteReceipt(
  state: ProtocolState,
  envelope: TaskEnvelope,
  envelopeHash: string,
  resolutionHash: string | undefined,
  receipt: ExecutionReceipt,
  policy: ParameterSet,
  o: ReexecuteOptions,
): Promise<ReexecuteReply | undefined> {
  const r = resolveTask(state, envelope);
  if (!r.ok || r.hash !== resolutionHash) return undefined;
  const request: ReexecuteRequest = {
    envelope,
    envelope_hash: envelopeHash,
    receipt,
    resolution: r.resolution,
    policy: { k_min: policy.k_min, policy_version: policy.policy_version },
  };
  return requestUntilAnswered<ReexecuteReply>(
    () =>
      o.bus.request(enterpriseSubjects(receipt.executor_node).reexecute, request, {
        timeoutMs: o.requestTimeoutMs ?? 30_000,
      }),
    {
      backoff: o.backoff ?? DEFAULT_BACKOFF,
      stillWanted: o.stillWanted,
      onFailure: (n, error) => o.onError?.(`re-execute ${envelope.task_id} (try ${n})`, error),
    },
  );
}
