/**
 * Messages between masters and enterprise nodes on the bus. Plaintext never travels here: a
 * master sends envelopes and receipts, an enterprise node answers with released aggregates,
 * commitments and signatures.
 */
import type { IngestRecordsResponse, RecordInput } from '@symphony/api';
import type { ExecutionReceipt, Hex64, ParameterSet, TaskEnvelope } from '@symphony/protocol';

/** Bus subjects an enterprise node serves. */
export function enterpriseSubjects(nodeId: string) {
  return {
    ingest: `scs.enterprise.${nodeId}.ingest`,
    execute: `scs.enterprise.${nodeId}.execute`,
    reexecute: `scs.enterprise.${nodeId}.reexecute`,
    status: `scs.enterprise.${nodeId}.status`,
    upload: `scs.enterprise.${nodeId}.upload`,
    vault: `scs.enterprise.${nodeId}.vault`,
  } as const;
}

export type IngestRequest = { vault_id: string; records: RecordInput[] };
export type IngestReply = IngestRecordsResponse;

/** The semantic resolution bound to a task: which Vault field serves each canonical attribute. */
export type Resolution = {
  task_id: string;
  domain: string;
  semantic_version: string;
  bindings: { vault_id: string; attributes: { attribute: string; field: string }[] }[];
};

export type ExecuteRequest = {
  envelope: TaskEnvelope;
  envelope_hash: Hex64;
  attempt: number;
  resolution: Resolution;
  policy: Pick<ParameterSet, 'k_min' | 'policy_version'>;
};

/** Everything needed to replay an execution, commitments only. */
export type ExecutionTranscript = {
  schema_version: 1;
  task_id: string;
  attempt: number;
  code_hash: Hex64;
  replay_context: ExecutionReceipt['replay_context'];
  inputs: { vault_id: string; as_of_seq: number; record_count: number; records_root: Hex64 }[];
  k_min: number;
  suppressed: boolean;
  output_hash: Hex64;
};

export type ExecuteReply = { receipt: ExecutionReceipt; output: unknown; transcript: ExecutionTranscript };

export type ReexecuteRequest = {
  envelope: TaskEnvelope;
  envelope_hash: Hex64;
  receipt: ExecutionReceipt;
  resolution: Resolution;
  policy: ExecuteRequest['policy'];
};
export type ReexecuteReply = { output_hash: Hex64; transcript_hash: Hex64 };

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
  | { op: 'snapshot'; vault_id: string; epoch_id: number };

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

export type VaultReply = VaultFigures | VaultCommitments | VaultSnapshot;
