/**
 * Hashes of Train: a model is hashed from its exact binary form (little-endian IEEE 754 float64
 * words), never from a JSON rendering of floats; a Vault's enclave signs the digest binding the
 * round, the Vault and the hash of the model it received.
 */
import { domainHash, type Hex64, sha256Hex } from '../hashing/domain-hash.ts';

/** Domain tag of a model's bytes. */
export const TRAIN_MODEL_TAG = 'scp/v1/train-model';
/** Domain tag of a Vault enclave's statement about the model it received. */
export const TRAIN_RECEIVED_MODEL_TAG = 'scp/v1/train-received-model';

/** SHA-256( UTF-8("scp/v1/train-model") || 0x00 || model bytes ). */
export function modelHash(bytes: Uint8Array): Hex64 {
  const tag = new TextEncoder().encode(TRAIN_MODEL_TAG);
  const buf = new Uint8Array(tag.length + 1 + bytes.length);
  buf.set(tag, 0);
  buf.set(bytes, tag.length + 1);
  return sha256Hex(buf);
}

/** What a Vault's enclave signs for a round: (task, round sub-task, Vault, received model hash). */
export type ReceivedModelStatement = { task_id: string; round_task_id: string; vault_id: string; model_hash: string };

/** The 32-byte digest a Vault's enclave signs (Ed25519) for a round. */
export function receivedModelDigest(s: ReceivedModelStatement): Hex64 {
  return domainHash(TRAIN_RECEIVED_MODEL_TAG, {
    task_id: s.task_id,
    round_task_id: s.round_task_id,
    vault_id: s.vault_id,
    model_hash: s.model_hash,
  });
}
