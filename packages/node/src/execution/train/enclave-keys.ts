/**
 * Statements the Train enclaves sign or attest: the aggregation session's key (attested, so a
 * Vault seals its update only to a registered aggregation enclave), the Vault's received-model
 * statement, and the commitment to an update (salted with a secret only the Vault's enclave can
 * derive, so a commitment reveals nothing, yet a replay derives the same one).
 */
import { domainHash, type EnclaveRegistration, type ProtocolState, type TaskEnvelope } from '@symphony/protocol';

/** The report data of an aggregation session key's attestation. */
export const aggregatorKeyDigest = (k: { task_id: string; attempt: number; session_id: string; public_key: string }) =>
  domainHash('scp/v1/train-aggregator-key', {
    task_id: k.task_id,
    attempt: k.attempt,
    session_id: k.session_id,
    public_key: k.public_key,
  });

/** The digest a Vault enclave signs to derive a commitment's salt (the signature is never released). */
export const commitmentSaltDigest = (s: { task_id: string; round_task_id: string; vault_id: string }) =>
  domainHash('scp/v1/train-commitment-salt', {
    task_id: s.task_id,
    round_task_id: s.round_task_id,
    vault_id: s.vault_id,
  });

/** A commitment to one Vault's update in one round. */
export const updateCommitment = (c: {
  round_task_id: string;
  vault_id: string;
  update_hash: string;
  weight: number;
  salt: string;
}) =>
  domainHash('scp/v1/train-update-commitment', {
    round_task_id: c.round_task_id,
    vault_id: c.vault_id,
    update_hash: c.update_hash,
    weight: c.weight,
    salt: c.salt,
  });

/**
 * The node whose enclave aggregates a Train task: the host of its first target Vault (in id
 * order). Every Vault derives the same answer from the log and refuses any other aggregator.
 */
export function aggregatorNodeOf(state: ProtocolState, envelope: TaskEnvelope): string | undefined {
  const first = [...envelope.targets.vault_ids].sort()[0];
  return first ? state.vaults[first]?.node_id : undefined;
}

/** The enclaves a node registered in the log. */
export const enclavesOf = (state: ProtocolState, node_id: string): EnclaveRegistration[] =>
  state.enterprise_nodes[node_id]?.enclaves ?? [];

/** The box contexts (associated data) of each kind of sealed message. */
export const boxContext = {
  stats: (envelope_hash: string, attempt: number, vault_id: string) => `${envelope_hash}/${attempt}/stats/${vault_id}`,
  update: (envelope_hash: string, attempt: number, round_task_id: string, vault_id: string) =>
    `${envelope_hash}/${attempt}/${round_task_id}/update/${vault_id}`,
  evaluation: (envelope_hash: string, attempt: number, round: number, vault_id: string) =>
    `${envelope_hash}/${attempt}/round-${round}/evaluation/${vault_id}`,
};
