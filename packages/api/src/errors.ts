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
  consent_missing: {
    status: 403,
    description: "No data subject of a target Vault ever consented to the task's usage scope.",
    fix: 'Record consents for details.scope in details.vault_id (POST /v1/consents) or pick another scope.',
  },
  consent_revoked: {
    status: 403,
    description: "Every consent to the task's usage scope in a target Vault was revoked or has expired.",
    fix: 'Only subjects with a live consent can contribute; ask them to grant it again (POST /v1/consents).',
  },
  consent_not_found: {
    status: 404,
    description: 'The subject never consented to this scope in this Vault.',
    fix: 'List consents with GET /v1/consents.',
  },
  consent_refused: {
    status: 409,
    description: 'The protocol refused the consent change (stale revision, expiry not in the future).',
    fix: 'Read details.reason; an expiry must be after the current log time.',
  },
  invalid_query: {
    status: 422,
    description:
      'The query spec breaks the privacy policy: an identifying filter or grouping, a sum or mean without clamping bounds, or an unsupported aggregate.',
    fix: 'Read details.field and details.reason; declare clamp bounds, drop identifying attributes, use count/sum/mean.',
  },
  participation_refused: {
    status: 409,
    description:
      'The protocol refused the acceptance (the query is not a target of this Vault, already runs, or was accepted).',
    fix: 'Read details.reason; a subject accepts a participant query before it is dispatched.',
  },
  unknown_semantic_version: {
    status: 422,
    description: 'The domain is not published at that semantic_version.',
    fix: 'Pin a version listed by GET /v1/semantic/domains.',
  },
  incompatible_semantic_version: {
    status: 422,
    description: 'A target Vault maps another major version of the domain, which may break the pinned one.',
    fix: 'Pin a version of the major the Vault maps (details.vault_id), or ask the Vault to declare a mapping for it.',
  },
  unknown_attribute: {
    status: 422,
    description: 'An attribute is not defined in the domain at the pinned semantic_version.',
    fix: 'Use attributes of that version (GET /v1/semantic/domains); newer attributes need a newer version.',
  },
  attribute_not_mapped: {
    status: 422,
    description: 'A target Vault declares no derivation for an attribute the task reads.',
    fix: 'Drop the attribute or target Vaults whose mapping covers it (details.vault_id).',
  },
  semantic_refused: {
    status: 409,
    description: 'The protocol refused the mapping, candidate or promotion.',
    fix: 'Read details.reason (e.g. candidate_not_eligible, window_open, invalid_mapping).',
  },
  invalid_upload: {
    status: 400,
    description: 'The uploaded file is malformed (CSV or NDJSON syntax).',
    fix: 'Correct the file at details.line; CSV needs a header row naming subject and attribute columns.',
  },
  unsupported_media_type: {
    status: 415,
    description: 'The upload is not of a supported type.',
    fix: 'Send text/csv or application/x-ndjson records, or a PNG, JPEG or PDF document.',
  },
  quota_exceeded: {
    status: 429,
    description:
      'An actor is at its quota: a submitter at its open-task quota, or a data producer at its record quota in a Vault.',
    fix: 'Read details: wait for open tasks to settle (details.limit), or remove records of that subject or ask the Vault operator for a larger quota (details.reason).',
  },
  result_not_ready: {
    status: 409,
    description: 'The task has no released result yet.',
    fix: 'Wait until the task reaches awaiting_settlement or completed (GET /v1/tasks/{taskId}).',
  },
  epoch_refused: { status: 409, description: 'The epoch cannot be closed now.', fix: 'Read details.reason.' },
  settlement_refused: {
    status: 409,
    description: 'The log refused the settlement action (only a failed settlement can be retried).',
    fix: 'Read details.reason; GET /v1/epochs/{epochId}/settlement shows its state.',
  },
  stake_refused: {
    status: 409,
    description: 'The log refused the staking request (balance, stake or unbonding period).',
    fix: 'Read details.reason; GET /v1/stakes/{actorId} shows balance, stake and release times.',
  },
  payout_refused: {
    status: 409,
    description: 'The log refused the payout execution (unknown or executed batch, wrong root or total, signature).',
    fix: 'Read details.reason; GET /v1/payouts/batches/{batchId} shows the batch to restate and sign.',
  },
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
  identity_refused: {
    status: 409,
    description: 'The protocol refused the identity change (actor already registered, grant exists or is revoked).',
    fix: 'Read details.reason; choose another id or check the current state.',
  },
  program_refused: {
    status: 409,
    description: 'The protocol refused the program decision (already approved, or not approved when revoking).',
    fix: 'Read details.reason; list what the Vault approved in the log.',
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
  challenge_refused: {
    status: 422,
    description:
      'The protocol refused the challenge: unknown task or epoch, window closed, challenger not staked, bond too small or unfunded.',
    fix: 'Read details.reason; only verified work in candidate context (or inside the window after finality) can be challenged, by a staked actor.',
  },
  invalid_evidence: {
    status: 422,
    description: 'The evidence does not fit the challenge target, or no checker can judge its kind yet.',
    fix: 'Correct the field named in details.field (task evidence for a task, settlement evidence for an epoch).',
  },
  internal: {
    status: 500,
    description: 'An unexpected failure; nothing was changed.',
    fix: 'Retry; if it persists, report the request id from the x-request-id header.',
  },
} as const satisfies Record<string, Entry>;

export type ApiErrorCode = keyof typeof ERROR_CATALOG;
