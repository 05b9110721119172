/** How a task's attestation reads in CLI output: a simulated enclave always says so. */
import type { AttestationView } from '@symphony/api';
import { shortHex } from './text.ts';

/** `attestation simulated (software enclave, no hardware root of trust)` or `attestation tdx <measurement>`. */
export function describeAttestation(a: AttestationView | undefined): string {
  if (!a) return 'attestation unknown';
  if (a.simulated)
    return `attestation simulated (software enclave, no hardware root of trust) ${shortHex(a.measurement)}`;
  return `attestation ${a.provider} ${shortHex(a.measurement)}`;
}
