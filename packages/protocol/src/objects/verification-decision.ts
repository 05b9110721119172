/** A verifier's signed decision on one execution receipt. */
import Type, { type Static } from 'typebox';
import { ActorId, Hex64String, PublicKeyHex, ReasonCode, SchemaVersion, SignatureHex, TaskId } from './common.ts';

export const VERIFICATION_OUTCOMES = ['accepted', 'rejected', 'challenged'] as const;
export type VerificationOutcome = (typeof VERIFICATION_OUTCOMES)[number];

export const VerificationDecision = Type.Object(
  {
    schema_version: SchemaVersion,
    task_id: TaskId,
    attempt: Type.Integer({ minimum: 1, maximum: 1000 }),
    verifier: ActorId,
    receipt_hash: Hex64String,
    outcome: Type.Enum(VERIFICATION_OUTCOMES),
    reason_code: Type.Optional(ReasonCode),
    method: Type.Union([Type.Literal('reexecution'), Type.Literal('transcript_check'), Type.Literal('sampled_out')]),
    reexecution_output_hash: Type.Optional(Hex64String),
    signer_public_key: PublicKeyHex,
    signature: SignatureHex,
  },
  { additionalProperties: false },
);
export type VerificationDecision = Static<typeof VerificationDecision>;
