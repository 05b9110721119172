/**
 * Messages between masters and enterprise nodes on the bus. Plaintext never travels here: a
 * master sends envelopes and receipts, an enterprise node answers with released aggregates,
 * commitments and signatures.
 */
import type { IngestRecordsResponse, RecordInput } from '@symphony/api';
import type { ExecutionReceipt, Hex64, ParameterSet, SignedTranscript, TaskEnvelope } from '@symphony/protocol';

/** Bus subjects an enterprise node serves. */
export function enterpriseSubjects(nodeId: string) {
  return {
    ingest: `scs.enterprise.${nodeId}.ingest`,
    execute: `scs.enterprise.${nodeId}.execute`,
    reexecute: `scs.enterprise.${nodeId}.reexecute`,
    status: `scs.enterprise.${nodeId}.status`,
    attest: `scs.enterprise.${nodeId}.attest`,
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
export type ExecuteReply = { receipt: ExecutionReceipt; output: unknown; transcript: SignedTranscript };

export type ReexecuteRequest = {
  envelope: TaskEnvelope;
  envelope_hash: Hex64;
  receipt: ExecutionReceipt;
  resolution: Resolution;
  policy: ExecuteRequest['policy'];
};
/** The replay's hashes, and the original sealed transcript (transcript, attestation evidence, enclave signature). */
export type ReexecuteReply = { output_hash: Hex64; transcript_hash: Hex64; sealed: SignedTranscript };

/** Asks the node to sign statements about its Vaults (consent, mapping, candidate) with its key. */
export type AttestRequest = {
  kind: 'consent_grant' | 'consent_revocation' | 'vault_mapping' | 'semantic_candidate';
  statements: ({ vault_id: string; signer_node: string } & Record<string, unknown>)[];
};
export type AttestReply = { statements: (Record<string, unknown> & { signature: string })[] };

export type StatusReply = { node_id: string; vaults: { vault_id: string; record_count: number }[] };
