/**
 * Messages between masters and enterprise nodes on the bus. Plaintext never travels here: a
 * master sends envelopes and receipts, an enterprise node answers with released aggregates,
 * commitments and signatures.
 */
import type { IngestRecordsResponse, RecordInput } from '@symphony/api';
import type {
  ExecutionReceipt,
  Hex64,
  ParameterSet,
  QueryAggregation,
  SignedTranscript,
  TaskEnvelope,
} from '@symphony/protocol';

/** Bus subjects an enterprise node serves. */
export function enterpriseSubjects(nodeId: string) {
  return {
    ingest: `scs.enterprise.${nodeId}.ingest`,
    execute: `scs.enterprise.${nodeId}.execute`,
    reexecute: `scs.enterprise.${nodeId}.reexecute`,
    transcript: `scs.enterprise.${nodeId}.transcript`,
    status: `scs.enterprise.${nodeId}.status`,
    attest: `scs.enterprise.${nodeId}.attest`,
    upload: `scs.enterprise.${nodeId}.upload`,
    vault: `scs.enterprise.${nodeId}.vault`,
    queryPartial: `scs.enterprise.${nodeId}.query_partial`,
    queryParticipation: `scs.enterprise.${nodeId}.query_participation`,
    queryNoise: `scs.enterprise.${nodeId}.query_noise`,
  } as const;
}

export type IngestRequest = { vault_id: string; records: RecordInput[] };
export type IngestReply = IngestRecordsResponse;

/**
 * The semantic resolution bound to a task: for each target Vault, the derivation rule over its
 * local fields that serves each canonical attribute, and the hash of the Vault mapping it came
 * from (absent when the Vault declared none and stores canonical attributes under their names).
 */
export type Resolution = {
  task_id: string;
  domain: string;
  semantic_version: string;
  bindings: { vault_id: string; mapping_hash?: Hex64; attributes: { attribute: string; derivation: string }[] }[];
};

export type ExecuteRequest = {
  envelope: TaskEnvelope;
  envelope_hash: Hex64;
  attempt: number;
  resolution: Resolution;
  policy: Pick<ParameterSet, 'k_min' | 'policy_version'>;
};

/** The reply to an execution: the signed receipt, the released output and the sealed transcript (commitments only). */
export type ExecuteReply = {
  receipt: ExecutionReceipt;
  output: unknown;
  transcript: SignedTranscript;
  /** A query's release request: the reducer charges it (or rejects the task) before the receipt is recorded. */
  release?: { scope: string; charged: string[]; released_sets: string[][] };
  /** A query's aggregation transcript (commitments only), bound to the sealed transcript by hash. */
  aggregation?: QueryAggregation;
};

export type ReexecuteRequest = {
  envelope: TaskEnvelope;
  envelope_hash: Hex64;
  receipt: ExecutionReceipt;
  resolution: Resolution;
  policy: ExecuteRequest['policy'];
};
/** The replay's hashes, and the original sealed transcript (transcript, attestation evidence, enclave signature). */
export type ReexecuteReply = { output_hash: Hex64; transcript_hash: Hex64; sealed: SignedTranscript };

/** Asks the executing node for a stored sealed transcript (and a query's aggregation transcript). */
export type TranscriptRequest = { transcript_hash: Hex64 };
export type TranscriptReply = { sealed: SignedTranscript; aggregation?: QueryAggregation };

/** Asks the node to sign statements about its Vaults (consent, mapping, candidate) with its key. */
export type AttestRequest = {
  kind: 'consent_grant' | 'consent_revocation' | 'vault_mapping' | 'semantic_candidate';
  statements: ({ vault_id: string; signer_node: string } & Record<string, unknown>)[];
};
export type AttestReply = { statements: (Record<string, unknown> & { signature: string })[] };

export type StatusReply = { node_id: string; vaults: { vault_id: string; record_count: number }[] };

/**
 * One step of a staged upload into a Vault (bulk records, CSV rows, or a binary document sent in
 * chunks). Nothing is visible until `commit`; `abort`, a refused step or a crash leaves nothing.
 * CSV rows travel as the strings the file holds: the enterprise node types them against the Vault's
 * declared domain. `first_line` numbers the batch's first row in the uploaded file.
 */
export type UploadRequest =
  | { op: 'begin'; vault_id: string; upload_id: string }
  | { op: 'begin_document'; vault_id: string; upload_id: string; subject: string; record_id?: string }
  | { op: 'records'; upload_id: string; records: RecordInput[]; first_line: number }
  | { op: 'csv_rows'; upload_id: string; columns: string[]; rows: string[][]; first_line: number }
  | { op: 'chunk'; upload_id: string; data_base64: string }
  | { op: 'commit'; upload_id: string }
  | { op: 'abort'; upload_id: string };

/** Why a step was refused, naming the line (1-based in the uploaded file), the field and the reason. */
export type UploadProblem = {
  code: 'invalid_records' | 'record_too_large' | 'quota_exceeded' | 'body_too_large' | 'unsupported_media_type';
  line?: number;
  field?: string;
  reason: string;
};

export type UploadReply =
  | { ok: true; staged?: number; accepted?: number; duplicates?: number; record_count?: number; record_id?: string }
  | { ok: false; problem: UploadProblem };

/** Operations on a hosted Vault: its figures, its commitments, and a signed snapshot root for an epoch. */
export type VaultRequest =
  | { op: 'show'; vault_id: string }
  | { op: 'commitments'; vault_id: string }
  | { op: 'snapshot'; vault_id: string; epoch_id: number }
  | { op: 'program'; vault_id: string; action: 'approve' | 'revoke'; code_hash: Hex64 };

/** A program decision the Vault's node signed and appended to the log itself. */
export type ProgramDecisionReply = { vault_id: string; code_hash: Hex64; action: 'approve' | 'revoke'; seq: number };

export type VaultFigures = {
  vault_id: string;
  node_id: string;
  record_count: number;
  size_bytes: number;
  key_version: number;
  last_snapshot?: { epoch_id: number; record_count: number; commitments_root: Hex64 };
};

/** A Vault's commitments in ingest order (salted hashes: they reveal nothing about the records). */
export type VaultCommitments = { vault_id: string; as_of_seq: number; commitments: Hex64[]; root: Hex64 };

/** A Vault snapshot root signed by the hosting node, ready to be published in the log. */
export type VaultSnapshot = {
  vault_id: string;
  node_id: string;
  epoch_id: number;
  record_count: number;
  commitments_root: Hex64;
  signature: string;
};

export type VaultReply = VaultFigures | VaultCommitments | VaultSnapshot | ProgramDecisionReply;
