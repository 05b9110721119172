/**
 * Whether a receipt's sealed transcript holds: the attestation evidence is the one the signed
 * receipt committed to, attests the receipt's transcript hash, comes from an enclave the executor
 * registered in the log and passes the attestation policy, names the receipt's provider and
 * measurement, and the enclave key sealed transcript and evidence together.
 */
import type { ExecutionReceipt, ProtocolState, SignedTranscript } from '@symphony/protocol';
import { sealIsIntact } from '../execution/transcript.ts';
import type { AttestationVerifier } from './attestation-verifier.ts';

/** Why the sealed transcript behind `receipt` does not hold, as `attestation_<reason>`, or undefined. */
export function attestationProblem(
  attestation: AttestationVerifier,
  state: ProtocolState,
  receipt: ExecutionReceipt,
  sealed: SignedTranscript | undefined,
): string | undefined {
  const enclaves = state.enterprise_nodes[receipt.executor_node]?.enclaves ?? [];
  const outcome = attestation.verify(sealed?.evidence, {
    report_data: receipt.transcript_hash,
    enclaves,
    evidence_hash: receipt.attestation.evidence_hash,
  });
  if (outcome.kind === 'rejected') return `attestation_${outcome.reason}`;
  if (outcome.provider !== receipt.attestation.provider || outcome.measurement !== receipt.attestation.measurement)
    return 'attestation_receipt_mismatch';
  if (!sealed || !sealIsIntact(sealed)) return 'attestation_seal_invalid';
  return undefined;
}
