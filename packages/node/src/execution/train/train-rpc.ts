/**
 * Messages of Train on the bus. Between a master (the round driver) and a Vault's enclave: the
 * global model (public to the round's participants), the Vault's signed statement of the model it
 * received, and its update sealed to the aggregation enclave's session key. Between the driver and
 * the aggregation enclave: sealed boxes, released aggregates, commitments and hashes. No message
 * carries a per-Vault update, statistic or evaluation in the clear.
 */
import type { AttestationEvidence, InputCommitment, TaskEnvelope } from '@symphony/protocol';
import type { ExecuteReply, ExecuteRequest, Resolution } from '../../wire/enterprise-rpc.ts';
import type { TrainingPrivacyCharge } from './dp-accountant.ts';
import type { ReleasedEvaluation } from './evaluation.ts';
import type { SealedBox } from './sealed-box.ts';

/** Bus subjects of an enterprise node's Train enclaves. */
export const trainSubjects = (nodeId: string) =>
  ({
    vault: `scs.enterprise.${nodeId}.train.vault`,
    aggregate: `scs.enterprise.${nodeId}.train.aggregate`,
  }) as const;

/** The aggregation session's public key, attested by the aggregation enclave. */
export type AggregatorKey = {
  node_id: string;
  session_id: string;
  /** Raw X25519 public key, 64 hex. */
  public_key: string;
  /** Evidence whose report data is `aggregatorKeyDigest(...)`. */
  evidence: AttestationEvidence;
};

/** What every request to a Vault's enclave names: the task, the Vault, its pinned snapshot, the aggregator. */
export type VaultTaskContext = {
  envelope: TaskEnvelope;
  envelope_hash: string;
  attempt: number;
  resolution: Resolution;
  vault_id: string;
  /** The snapshot to read; absent on the first request (the Vault pins its head and says which). */
  as_of_seq?: number;
  aggregator: AggregatorKey;
};

export type TrainVaultRequest =
  | ({ op: 'stats' } & VaultTaskContext)
  | ({ op: 'train'; round: number; round_task_id: string; model: string; standardization: string } & VaultTaskContext)
  | ({ op: 'evaluate'; round: number; model: string; standardization: string } & VaultTaskContext);

export type StatsReply = { vault_id: string; input: InputCommitment; sealed: SealedBox };
export type ReceivedStatement = { vault_id: string; model_hash: string; signature: string };
export type TrainReply = { received: ReceivedStatement; commitment: string; sealed: SealedBox };
export type EvaluateReply = { vault_id: string; sealed: SealedBox };

export type TrainAggregateRequest =
  | { op: 'open'; envelope: TaskEnvelope; envelope_hash: string; attempt: number; k_min: number }
  | { op: 'standardize'; session_id: string; parts: StatsReply[] }
  | { op: 'distribute'; session_id: string; round: number; vault_ids: string[] }
  | { op: 'aggregate'; session_id: string; round: number; round_task_id: string; parts: TrainReply[] }
  | { op: 'evaluate'; session_id: string; round: number; parts: EvaluateReply[] }
  | {
      op: 'finish';
      session_id: string;
      request: ExecuteRequest;
      /** Per round, who was asked and who did not answer (the driver's view). */
      rounds: { participants: string[]; dropped: string[] }[];
      /** False for a re-execution: nothing is kept. */
      store?: boolean;
    }
  | { op: 'fail'; request: ExecuteRequest; failure_code: string }
  | { op: 'close'; session_id: string };

export type StandardizeReply = {
  standardization: string;
  standardization_hash: string;
  model: string;
  model_hash: string;
  /** DP tasks only: the declared spend to charge every training subject's pseudonym before round 1. */
  charge?: TrainingPrivacyCharge;
};
export type DistributeReply = { models: { vault_id: string; model: string }[] };
export type AggregateReply = {
  model: string;
  model_hash: string;
  updates: { vault_id: string; commitment: string; weight: number }[];
};
export type EvaluateAggregateReply = ReleasedEvaluation;
export type FinishReply = ExecuteReply;
