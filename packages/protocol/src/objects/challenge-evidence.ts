/**
 * Challenge evidence: what a challenger posts beside a challenge. It is stored off the log (the
 * challenge carries its hash, `hash("scp/v1/challenge-evidence", evidence)`) and replayed by
 * adjudication. Each kind names exactly what it proves, so adjudication is a pure function of the
 * log and the evidence (plus, for `replay_output`, an independent re-execution under the task's
 * replay context).
 */
import Type, { type Static } from 'typebox';
import { Count, EpochId, Hex64String, NodeId, SignatureHex, TaskId } from './common.ts';
import { ExecutionReceipt } from './execution-receipt.ts';
import { SettlementStatement } from './settlement.ts';

export const SignedStatement = Type.Object(
  { statement: SettlementStatement, signature: SignatureHex },
  { additionalProperties: false, description: "A settlement statement and a master's Ed25519 signature over it." },
);
export type SignedStatement = Static<typeof SignedStatement>;

export const ConflictingReceiptEvidence = Type.Object(
  {
    kind: Type.Literal('conflicting_receipt'),
    task_id: TaskId,
    receipt: ExecutionReceipt,
  },
  {
    additionalProperties: false,
    description:
      "A second receipt for the task's current attempt, signed by the executor node's key, that differs from the recorded one.",
  },
);

export const ReplayOutputEvidence = Type.Object(
  {
    kind: Type.Literal('replay_output'),
    task_id: TaskId,
    attempt: Type.Integer({ minimum: 1, maximum: 1000 }),
    output_hash: Hex64String,
    transcript_hash: Hex64String,
  },
  {
    additionalProperties: false,
    description:
      "The challenger's replay under the task's replay context gave another output; adjudication re-executes in an independent enclave.",
  },
);

export const GroupUnderKMinEvidence = Type.Object(
  {
    kind: Type.Literal('group_under_k_min'),
    task_id: TaskId,
    attempt: Type.Integer({ minimum: 1, maximum: 1000 }),
    /** The released aggregate's output hash the claim is about (must be the receipt's). */
    output_hash: Hex64String,
    /** The canonical key of the released group (its group-by values, JCS-encoded). */
    group_key: Type.String({ minLength: 1, maxLength: 512 }),
    /** The claimed number of distinct data subjects behind the released group. */
    claimed_subjects: Count,
  },
  {
    additionalProperties: false,
    description: "A Query released a group with fewer distinct subjects than the policy's k_min.",
  },
);

export const WrongSettlementEntryEvidence = Type.Object(
  {
    kind: Type.Literal('wrong_settlement_entry'),
    epoch_id: EpochId,
    master_id: NodeId,
    signed: SignedStatement,
  },
  {
    additionalProperties: false,
    description:
      "A master's signature on a statement for the epoch's current attempt whose roots differ from the candidate every honest fold builds.",
  },
);

export const MasterEquivocationEvidence = Type.Object(
  {
    kind: Type.Literal('master_equivocation'),
    epoch_id: EpochId,
    master_id: NodeId,
    signed: Type.Array(SignedStatement, { minItems: 2, maxItems: 2 }),
  },
  {
    additionalProperties: false,
    description: 'Two signatures of one master on different statements for the same epoch and attempt.',
  },
);

export const CHALLENGE_EVIDENCE_KINDS = [
  'conflicting_receipt',
  'replay_output',
  'group_under_k_min',
  'wrong_settlement_entry',
  'master_equivocation',
] as const;
export type ChallengeEvidenceKind = (typeof CHALLENGE_EVIDENCE_KINDS)[number];

export const ChallengeEvidence = Type.Union([
  ConflictingReceiptEvidence,
  ReplayOutputEvidence,
  GroupUnderKMinEvidence,
  WrongSettlementEntryEvidence,
  MasterEquivocationEvidence,
]);
export type ChallengeEvidence = Static<typeof ChallengeEvidence>;

/** Evidence kinds that dispute a task result (the others dispute an epoch's settlement). */
export const TASK_EVIDENCE_KINDS: readonly ChallengeEvidenceKind[] = [
  'conflicting_receipt',
  'replay_output',
  'group_under_k_min',
];

/** Domain tags of the verification layer (kept here, beside the objects they hash). */
export const VerificationTags = {
  challengeEvidence: 'scp/v1/challenge-evidence',
  challengeDecision: 'scp/v1/challenge-decision',
  verifierAssignment: 'scp/v1/verifier-assignment',
} as const;

/** The adjudication record whose hash a `challenge_decided` event carries. */
export const ChallengeAdjudication = Type.Object(
  {
    challenge_id: Type.String(),
    evidence_hash: Hex64String,
    outcome: Type.Union([Type.Literal('confirmed'), Type.Literal('not_confirmed')]),
    reason_code: Type.String(),
    accused: Type.Optional(NodeId),
    reexecution: Type.Optional(
      Type.Object({ output_hash: Hex64String, transcript_hash: Hex64String }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false, description: 'What adjudication decided, replayable byte for byte.' },
);
export type ChallengeAdjudication = Static<typeof ChallengeAdjudication>;
