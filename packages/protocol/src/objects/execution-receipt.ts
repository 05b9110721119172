/** The signed statement an enterprise node makes about one execution of a task. */
import Type, { type Static } from 'typebox';
import {
  ActorId,
  ContributorRoleSchema,
  Count,
  EpochId,
  Hex64String,
  NodeId,
  PolicyVersion,
  PublicKeyHex,
  ReasonCode,
  SchemaVersion,
  SemanticVersion,
  SignatureHex,
  TaskId,
  VaultId,
} from './common.ts';

/** Everything that makes an execution reproducible: equal context gives byte-identical output. */
export const ReplayContext = Type.Object(
  {
    epoch_id: EpochId,
    semantic_version: SemanticVersion,
    policy_version: PolicyVersion,
    seed: Hex64String,
  },
  { additionalProperties: false },
);
export type ReplayContext = Static<typeof ReplayContext>;

export const Contribution = Type.Object(
  {
    account: ActorId,
    role: ContributorRoleSchema,
    units: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
  },
  { additionalProperties: false, description: 'One contributor and its units of work or data.' },
);
export type Contribution = Static<typeof Contribution>;

export const Attestation = Type.Object(
  {
    provider: Type.Union([Type.Literal('simulated'), Type.Literal('sgx'), Type.Literal('tdx')]),
    measurement: Hex64String,
    evidence_hash: Hex64String,
  },
  { additionalProperties: false },
);

export const ExecutionReceipt = Type.Object(
  {
    schema_version: SchemaVersion,
    task_id: TaskId,
    attempt: Type.Integer({ minimum: 1, maximum: 1000 }),
    executor_node: NodeId,
    vault_ids: Type.Array(VaultId, { minItems: 1, maxItems: 1024, uniqueItems: true }),
    replay_context: ReplayContext,
    input_commitments: Type.Array(Hex64String, { maxItems: 1024 }),
    code_hash: Hex64String,
    status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]),
    failure_code: Type.Optional(ReasonCode),
    output_hash: Hex64String,
    transcript_hash: Hex64String,
    usage: Type.Object({ records_scanned: Count, fuel: Count, rounds: Count }, { additionalProperties: false }),
    contributions: Type.Array(Contribution, { maxItems: 100_000 }),
    attestation: Attestation,
    signer_public_key: PublicKeyHex,
    signature: SignatureHex,
  },
  { additionalProperties: false, description: 'Signed by the executing node over its hash without the signature.' },
);
export type ExecutionReceipt = Static<typeof ExecutionReceipt>;
