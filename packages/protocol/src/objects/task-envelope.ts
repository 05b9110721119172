/**
 * The `TaskEnvelope`: the fully formed task the admission plane produces. Everything downstream
 * relies on it without re-validation; its hash (`scp/v1/task-envelope`) identifies it in the log.
 */
import Type, { type Static } from 'typebox';
import {
  ActorId,
  AmountString,
  AttributeName,
  DomainName,
  EpochId,
  GrantId,
  Hex64String,
  PolicyVersion,
  SchemaVersion,
  SemanticVersion,
  TaskClassSchema,
  TaskId,
  TimeMs,
  UsageScopeSchema,
  VaultId,
} from './common.ts';
import { SignedDelegation } from './identity.ts';
import { TaskSpec } from './task-spec.ts';

export const Delegation = Type.Object(
  {
    principal: ActorId,
    credential_hash: Hex64String,
    /**
     * The signed credential itself, so every master re-verifies it when folding the admission
     * (signature, agent, expiry, scope and the cumulative spending cap across all its tasks).
     */
    signed: Type.Optional(SignedDelegation),
  },
  { additionalProperties: false, description: 'The user an agent submits for, and the hash of the signed credential.' },
);

export const TaskEnvelope = Type.Object(
  {
    schema_version: SchemaVersion,
    task_id: TaskId,
    class: TaskClassSchema,
    submitter: ActorId,
    delegation: Type.Optional(Delegation),
    authorization: Type.Object(
      { grant_ids: Type.Array(GrantId, { maxItems: 64, uniqueItems: true }) },
      { additionalProperties: false, description: 'Vault grants that authorize this task (sorted).' },
    ),
    consent_scope: UsageScopeSchema,
    targets: Type.Object(
      { vault_ids: Type.Array(VaultId, { minItems: 1, maxItems: 1024, uniqueItems: true }) },
      { additionalProperties: false, description: 'Target Vaults (sorted).' },
    ),
    semantic: Type.Object(
      {
        domain: DomainName,
        semantic_version: SemanticVersion,
        attributes: Type.Array(AttributeName, { minItems: 1, maxItems: 128, uniqueItems: true }),
        /** Hash of the resolution artifact admission bound the task to (`scp/v1/semantic-resolution`). */
        resolution_hash: Type.Optional(Hex64String),
      },
      {
        additionalProperties: false,
        description: 'Canonical attributes the task reads (sorted), under a pinned version.',
      },
    ),
    policy_version: PolicyVersion,
    epoch_id: EpochId,
    budget: Type.Object({ max_fee: AmountString }, { additionalProperties: false }),
    admitted_at_ms: TimeMs,
    deadline_ms: TimeMs,
    spec: TaskSpec,
  },
  { additionalProperties: false, description: 'A fully formed, admitted SCP task.' },
);
export type TaskEnvelope = Static<typeof TaskEnvelope>;
