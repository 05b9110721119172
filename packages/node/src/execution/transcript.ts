/**
 * The execution transcript builder every task class uses (built-in operators, the sandbox, Parse):
 * give it the inputs' commitments, the code hash, the replay context, the output and the resource
 * use; it returns the canonical transcript and its hash. `sealTranscript` then has the enclave
 * attest to the transcript hash and sign transcript and evidence together.
 *
 * Determinism: nothing here reads a clock, randomness or the environment, so equal facts give a
 * byte-identical transcript (RFC 8785 canonical JSON under a domain tag).
 */
import {
  type AttestationEvidence,
  canonicalBytes,
  domainHash,
  type ExecutionTranscript,
  evidenceHash,
  type Hex64,
  type InputCommitment,
  type ReplayContext,
  type ResourceUse,
  replaySeedOf,
  type SignedTranscript,
  sealedTranscriptDigest,
  type TaskClass,
  type TaskEnvelope,
  transcriptHash,
  verifyEd25519,
} from '@symphony/protocol';
import type { TeeProvider } from '../ports/tee-provider.ts';

/** The deterministic seed of a task's replay context. */
export const replaySeed = (envelopeHash: string) => replaySeedOf(envelopeHash);

/** The replay context of a task: its admission epoch, semantic and policy versions, and the seed. */
export function replayContextOf(envelope: TaskEnvelope, envelopeHash: string): ReplayContext {
  return {
    epoch_id: envelope.epoch_id,
    semantic_version: envelope.semantic.semantic_version,
    policy_version: envelope.policy_version,
    seed: replaySeed(envelopeHash),
  };
}

/** The hash of a task output (the receipt's `output_hash`). */
export const outputHash = (output: unknown): Hex64 => domainHash('scp/v1/task-output', output);

/** What an execution produced, as the transcript builder takes it. */
export type TranscriptFacts = {
  task_id: string;
  attempt: number;
  task_class: TaskClass;
  /** The hash of the code that ran (built-in program, submitted program, Parse extractor). */
  code_hash: Hex64;
  replay_context: ReplayContext;
  /** The snapshots read, as commitments (never records). */
  inputs: readonly InputCommitment[];
  /** The output (hashed here; it is not part of the transcript). */
  output: unknown;
  /** Counts only; `output_bytes` is filled in from the output when omitted. */
  resource_use: Omit<ResourceUse, 'output_bytes'> & { output_bytes?: number };
  /** Class-specific facts that affect the output, e.g. `{ k_min: 5, suppressed: false }`. */
  details?: Readonly<Record<string, string | number | boolean>>;
};

export type BuiltTranscript = { transcript: ExecutionTranscript; transcript_hash: Hex64; output_hash: Hex64 };

/** Builds the canonical transcript of an execution and its hash. */
export function buildTranscript(facts: TranscriptFacts): BuiltTranscript {
  const output_hash = outputHash(facts.output);
  const transcript: ExecutionTranscript = {
    schema_version: 1,
    task_id: facts.task_id,
    attempt: facts.attempt,
    task_class: facts.task_class,
    code_hash: facts.code_hash,
    replay_context: { ...facts.replay_context },
    inputs: facts.inputs.map((i) => ({
      vault_id: i.vault_id,
      as_of_seq: i.as_of_seq,
      record_count: i.record_count,
      records_root: i.records_root,
    })),
    output_hash,
    resource_use: {
      records_scanned: facts.resource_use.records_scanned,
      fuel: facts.resource_use.fuel,
      memory_bytes: facts.resource_use.memory_bytes,
      output_bytes: facts.resource_use.output_bytes ?? canonicalBytes(facts.output ?? null).length,
    },
    details: { ...facts.details },
  };
  return { transcript, transcript_hash: transcriptHash(transcript), output_hash };
}

/** A sealed transcript with the hashes a receipt carries. */
export type SealedTranscript = { signed: SignedTranscript; transcript_hash: Hex64; evidence_hash: Hex64 };

/** Has the enclave attest to the transcript hash, then sign transcript and evidence with its key. */
export async function sealTranscript(tee: TeeProvider, transcript: ExecutionTranscript): Promise<SealedTranscript> {
  const transcript_hash = transcriptHash(transcript);
  const evidence: AttestationEvidence = await tee.attest(transcript_hash);
  const evidence_hash = evidenceHash(evidence);
  const signature = await tee.sign(sealedTranscriptDigest(transcript_hash, evidence_hash));
  return { signed: { transcript, evidence, signature }, transcript_hash, evidence_hash };
}

/**
 * Checks a sealed transcript's own consistency: the evidence attests this transcript and the
 * enclave key named in the evidence signed both. (Whether that enclave is trusted is the
 * attestation verifier's question.)
 */
export function sealIsIntact(signed: SignedTranscript): boolean {
  const transcript_hash = transcriptHash(signed.transcript);
  if (signed.evidence.report_data !== transcript_hash) return false;
  const digest = sealedTranscriptDigest(transcript_hash, evidenceHash(signed.evidence));
  return verifyEd25519(signed.evidence.enclave_public_key, digest, signed.signature);
}
