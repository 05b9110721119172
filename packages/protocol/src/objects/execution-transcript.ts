/**
 * The execution transcript: everything needed to replay one execution, commitments only (never
 * records). Its hash is the receipt's `transcript_hash` and the attestation's report data; the
 * enclave key signs it. Equal replay context and inputs give a byte-identical transcript.
 */
import Type, { type Static } from 'typebox';
import { digestBytes } from '../crypto/signing-digests.ts';
import { domainHash, type Hex64 } from '../hashing/domain-hash.ts';
import { AttestationEvidence } from './attestation.ts';
import { Count, Hex64String, SchemaVersion, SignatureHex, TaskClassSchema, TaskId, VaultId } from './common.ts';
import { DomainTags } from './domain-tags.ts';
import { ReplayContext } from './execution-receipt.ts';

/** One input as a commitment: a Vault snapshot (records Merkle root) or another committed input. */
export const InputCommitment = Type.Object(
  {
    vault_id: VaultId,
    as_of_seq: Count,
    record_count: Count,
    records_root: Hex64String,
  },
  { additionalProperties: false, description: 'A Vault snapshot an execution read, as a Merkle root.' },
);
export type InputCommitment = Static<typeof InputCommitment>;

/** Deterministic resource use: counts only, never wall-clock time. */
export const ResourceUse = Type.Object(
  {
    records_scanned: Count,
    fuel: Count,
    memory_bytes: Count,
    output_bytes: Count,
  },
  { additionalProperties: false },
);
export type ResourceUse = Static<typeof ResourceUse>;

export const ExecutionTranscript = Type.Object(
  {
    schema_version: SchemaVersion,
    task_id: TaskId,
    attempt: Type.Integer({ minimum: 1, maximum: 1000 }),
    task_class: TaskClassSchema,
    code_hash: Hex64String,
    replay_context: ReplayContext,
    inputs: Type.Array(InputCommitment, { maxItems: 1024 }),
    output_hash: Hex64String,
    resource_use: ResourceUse,
    /** Class-specific facts that affect the output (e.g. `k_min`, whether it was suppressed). */
    details: Type.Record(
      Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }),
      Type.Union([Type.String(), Type.Integer(), Type.Boolean()]),
      {
        maxProperties: 32,
      },
    ),
  },
  { additionalProperties: false, description: 'What one execution read, ran and produced, as commitments.' },
);
export type ExecutionTranscript = Static<typeof ExecutionTranscript>;

/** The transcript, its attestation evidence, and the enclave key's signature over both. */
export const SignedTranscript = Type.Object(
  {
    transcript: ExecutionTranscript,
    evidence: AttestationEvidence,
    signature: SignatureHex,
  },
  { additionalProperties: false, description: 'A transcript sealed by the enclave that produced it.' },
);
export type SignedTranscript = Static<typeof SignedTranscript>;

/** `transcript_hash`: the receipt's field and the attestation's report data. */
export function transcriptHash(transcript: ExecutionTranscript): Hex64 {
  return domainHash(DomainTags.executionTranscript, transcript);
}

/** The bytes the enclave key signs to seal a transcript with its evidence. */
export function sealedTranscriptDigest(transcript_hash: Hex64, evidence_hash: Hex64): Uint8Array {
  return digestBytes(domainHash(DomainTags.sealedTranscript, { transcript_hash, evidence_hash }));
}
