/**
 * The error catalog: every code the API returns, its HTTP status and how to fix it. Codes are
 * stable: clients branch on them, and they cross process boundaries.
 */
import Type, { type Static } from 'typebox';

export const ApiErrorBody = Type.Object(
  {
    code: Type.String({ description: 'Stable machine-readable error code (see the catalog).' }),
    message: Type.String({ description: 'What went wrong and how to fix it.' }),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false, description: 'Every error answer has this shape.' },
);
export type ApiErrorBody = Static<typeof ApiErrorBody>;

type Entry = { status: number; description: string; fix: string };

export const ERROR_CATALOG = {
  invalid_request: {
    status: 400,
    description: 'The body, query or path failed validation.',
    fix: 'Correct the field named in details.field; see /openapi.json for the schema.',
  },
  unknown_field: {
    status: 400,
    description: 'The body has a field the schema does not define.',
    fix: 'Remove the field named in details.field.',
  },
  body_too_large: {
    status: 413,
    description: 'The request body exceeds the size limit.',
    fix: 'Send fewer records per request (details.limit_bytes is the limit).',
  },
  not_found: {
    status: 404,
    description: 'No such resource.',
    fix: 'Check the identifier; list resources with the matching GET route.',
  },
  unknown_vault: {
    status: 404,
    description: 'The Vault is not registered on this network.',
    fix: 'Use a vault id from GET /v1/network.',
  },
  idempotency_conflict: {
    status: 409,
    description: 'The Idempotency-Key was used with a different body.',
    fix: 'Use a new Idempotency-Key for a different request, or resend the original body.',
  },
  task_refused: {
    status: 422,
    description: 'The protocol refused the task (version, attribute, Vault or epoch).',
    fix: 'Read details.reason; pin a published semantic_version and registered Vaults.',
  },
  invalid_records: {
    status: 422,
    description: 'A record does not fit the Vault domain.',
    fix: 'Correct the record at details.index; fields are the canonical attributes of the domain.',
  },
  result_not_ready: {
    status: 409,
    description: 'The task has no released result yet.',
    fix: 'Wait until the task reaches awaiting_settlement or completed (GET /v1/tasks/{taskId}).',
  },
  epoch_refused: { status: 409, description: 'The epoch cannot be closed now.', fix: 'Read details.reason.' },
  unavailable: {
    status: 503,
    description: 'A node needed for the request did not answer.',
    fix: 'Retry after the time in Retry-After; check GET /healthz.',
  },
  unauthenticated: {
    status: 401,
    description: 'The request is not signed, or its signature is malformed, expired, replayed or wrong.',
    fix: 'Sign every request (RFC 9421, label scs, Ed25519) with a registered key; details.reason says what failed.',
  },
  forbidden: {
    status: 403,
    description: "The signing actor's roles do not allow this route, or it acts for another actor.",
    fix: 'Use a key whose actor holds the role in details.required_roles, and name yourself as submitter.',
  },
  not_granted: {
    status: 403,
    description: 'No live Vault grant covers a target Vault for the task class and every attribute it reads.',
    fix: 'Ask the Vault operator for a grant, or drop the Vault or attribute named in details.',
  },
  delegation_invalid: {
    status: 403,
    description: 'The delegation credential is forged, revoked, for another agent, or does not verify.',
    fix: "Have the principal sign a fresh credential naming this agent with the principal's registered key.",
  },
  delegation_expired: {
    status: 403,
    description: 'The delegation credential has expired.',
    fix: 'Have the principal issue a new credential.',
  },
  delegation_out_of_scope: {
    status: 403,
    description: 'The task exceeds the delegation: Vault, task class, usage scope or maximum spend.',
    fix: 'Stay inside the credential (details.reason), or have the principal widen it.',
  },
  rate_limited: {
    status: 429,
    description: "The actor's request rate exceeds its token bucket.",
    fix: 'Retry after the time in Retry-After.',
  },
  quota_exceeded: {
    status: 429,
    description: 'The actor has as many open tasks as its quota allows.',
    fix: 'Wait for open tasks to settle (details.limit is the quota).',
  },
  insufficient_budget: {
    status: 402,
    description: "The payer's free balance (balance minus escrow of open tasks) does not cover budget.max_fee.",
    fix: 'Lower budget.max_fee or fund the account; details.available is the free balance.',
  },
  executor_understaked: {
    status: 422,
    description: 'An executor hosting a target Vault is below the minimum stake of the current policy_version.',
    fix: 'Target other Vaults, or wait until the executor (details.vault_id) bonds enough stake.',
  },
  internal: {
    status: 500,
    description: 'An unexpected failure; nothing was changed.',
    fix: 'Retry; if it persists, report the request id from the x-request-id header.',
  },
} as const satisfies Record<string, Entry>;

export type ApiErrorCode = keyof typeof ERROR_CATALOG;
