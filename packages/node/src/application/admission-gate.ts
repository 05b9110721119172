/**
 * The identity and authorization part of admission, run before a task is built into the log:
 * the caller is the submitter (or an agent holding a principal's delegation, verified offline),
 * the caller's open-task quota, then the protocol's own rules (`authorizeTask`: role, grants,
 * budget, executor stake). Every refusal is an `ApiFailure` with a stable code; nothing is written.
 */
import type { SubmitTaskRequest } from '@symphony/api';
import {
  type Refusal as AdmissionRefusal,
  availableBalance,
  checkDelegation,
  delegationHash,
  grantsFor,
  type ProtocolState,
  payerOf,
  type TaskEnvelope,
} from '@symphony/protocol';
import type { Caller } from './caller.ts';
import { ApiFailure } from './master-api.ts';

/** The open tasks one actor may have at a time unless configured otherwise. */
export const DEFAULT_OPEN_TASK_QUOTA = 1000;

const TERMINAL = new Set(['completed', 'rejected', 'timed_out']);

/** Checks the caller against the request and verifies a delegation; returns the envelope's delegation. */
export function checkCaller(
  state: ProtocolState,
  request: SubmitTaskRequest,
  caller: Caller,
  now_ms: number,
  openTaskQuota: number,
): TaskEnvelope['delegation'] {
  if (request.submitter !== caller.actor_id)
    throw new ApiFailure(
      'forbidden',
      `the request is signed by ${caller.actor_id}, not by submitter ${request.submitter}`,
      {
        reason: 'submitter_mismatch',
      },
    );
  let open = 0;
  for (const t of Object.values(state.tasks)) if (t.submitter === caller.actor_id && !TERMINAL.has(t.state)) open++;
  if (open >= openTaskQuota)
    throw new ApiFailure('quota_exceeded', `${caller.actor_id} already has ${open} open tasks`, {
      limit: openTaskQuota,
    });
  if (!request.delegation) return undefined;
  const refusal = checkDelegation(state, request.delegation, {
    agent: caller.actor_id,
    class: request.class,
    vault_ids: request.targets.vault_ids,
    consent_scope: request.consent_scope,
    max_fee: request.budget.max_fee,
    now_ms,
  });
  if (refusal) throw failureOf(refusal, state, request);
  return {
    principal: request.delegation.credential.principal,
    credential_hash: delegationHash(request.delegation.credential),
    signed: request.delegation,
  };
}

/** The grants that authorize the envelope: the request's own, or the payer's covering grants per Vault. */
export function grantIdsFor(state: ProtocolState, request: SubmitTaskRequest, env: TaskEnvelope): string[] {
  if (request.grant_ids && request.grant_ids.length > 0) return [...request.grant_ids].sort();
  const payer = payerOf(env);
  const ids = new Set<string>();
  for (const vault of env.targets.vault_ids) {
    const first = grantsFor(state, payer, env, vault)[0];
    if (first) ids.add(first);
  }
  return [...ids].sort();
}

/** Maps a protocol refusal of a task to its API failure (anything unknown stays `task_refused`). */
export function failureOf(refusal: AdmissionRefusal, state: ProtocolState, request: SubmitTaskRequest): ApiFailure {
  const details = { reason: refusal.code };
  switch (refusal.code) {
    case 'unknown_actor':
    case 'wrong_role':
      return new ApiFailure('forbidden', refusal.message, details);
    case 'unknown_grant':
    case 'vault_not_granted':
    case 'attribute_not_declared':
    case 'vault_not_targeted':
      return new ApiFailure('not_granted', refusal.message, details);
    case 'bad_delegation_signature':
    case 'delegation_wrong_agent':
    case 'delegation_revoked':
    case 'delegation_missing':
      return new ApiFailure('delegation_invalid', refusal.message, details);
    case 'delegation_expired':
      return new ApiFailure('delegation_expired', refusal.message, details);
    case 'delegation_out_of_scope':
    case 'delegation_spend_exceeded':
      return new ApiFailure('delegation_out_of_scope', refusal.message, details);
    case 'insufficient_budget': {
      const payer = request.delegation?.credential.principal ?? request.submitter;
      return new ApiFailure('insufficient_budget', refusal.message, {
        ...details,
        available: availableBalance(state, payer).toString(),
      });
    }
    case 'executor_understaked':
      return new ApiFailure('executor_understaked', refusal.message, details);
    default:
      return new ApiFailure('task_refused', `the protocol refused the task: ${refusal.message}`, details);
  }
}
