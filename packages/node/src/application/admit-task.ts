/**
 * Admission: turns a submitter's request into a fully formed `TaskEnvelope` pinned to the epoch,
 * semantic version and policy in force, with a deadline and a task id (derived from the
 * idempotency key when there is one, so a retried admission names the same task).
 */
import { randomBytes } from 'node:crypto';
import type { SubmitTaskRequest } from '@symphony/api';
import { canonicalBytes, type ProtocolState, policyInForce, sha256Hex, type TaskEnvelope } from '@symphony/protocol';

const sorted = <T extends string>(xs: readonly T[]) => [...xs].sort();

/** The hash of a request body, to tell a replay from a conflicting reuse of an idempotency key. */
export const requestHash = (request: SubmitTaskRequest) => sha256Hex(canonicalBytes(request));

/** The task id for a submitter's idempotency key, or a fresh random one. */
export function taskIdFor(submitter: string, idempotencyKey?: string): string {
  const material = idempotencyKey
    ? sha256Hex(new TextEncoder().encode(`${submitter}\u0000${idempotencyKey}`))
    : randomBytes(16).toString('hex');
  return `tsk_${material.slice(0, 32)}`;
}

export function buildEnvelope(
  state: ProtocolState,
  request: SubmitTaskRequest,
  task_id: string,
  now_ms: number,
  delegation?: TaskEnvelope['delegation'],
): TaskEnvelope {
  const policy = policyInForce(state, state.current_epoch);
  const admitted_at_ms = Math.max(now_ms, state.last_time_ms);
  return {
    schema_version: 1,
    task_id,
    class: request.class,
    submitter: request.submitter,
    ...(delegation ? { delegation } : {}),
    authorization: { grant_ids: sorted(request.grant_ids ?? []) },
    consent_scope: request.consent_scope,
    targets: { vault_ids: sorted(request.targets.vault_ids) },
    semantic: {
      domain: request.semantic.domain,
      semantic_version: request.semantic.semantic_version,
      attributes: sorted(request.semantic.attributes),
    },
    policy_version: policy?.policy_version ?? 1,
    epoch_id: state.current_epoch,
    budget: { max_fee: request.budget.max_fee },
    admitted_at_ms,
    deadline_ms: admitted_at_ms + (request.timeout_ms ?? 600_000),
    spec: request.spec,
  };
}
