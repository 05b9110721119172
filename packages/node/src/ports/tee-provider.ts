/**
 * `TeeProvider`: the protected runtime an execution runs in, as seen by the executor. It names the
 * enclave (provider, code measurement, enclave key), attests to report data (the transcript hash)
 * and signs with the enclave key. `QuoteVerifier`: checks hardware (DCAP) quotes for the attestation
 * verifier, with stored collateral and a time given by the caller.
 */
import type { AttestationEvidence, EnclaveRegistration, TeeProviderKind } from '@symphony/protocol';

/** Stable codes of the errors a TEE provider throws. */
export const teeProviderErrorCodes = ['simulated_tee_refused', 'tee_unavailable'] as const;
/** Stable codes of the errors a TEE provider throws. */
export type TeeProviderErrorCode = (typeof teeProviderErrorCodes)[number];

/** An enclave the executor runs in. */
export interface TeeProvider {
  /** `simulated` is a software enclave with no hardware root of trust. */
  readonly kind: TeeProviderKind;
  /** What the node registers in the log: provider, code measurement and enclave public key. */
  identity(): Promise<EnclaveRegistration>;
  /** Evidence binding the measurement and the enclave key to `reportData` (a transcript hash, 64 hex). */
  attest(reportData: string): Promise<AttestationEvidence>;
  /** Signs `bytes` with the enclave key (Ed25519, 128 hex digits). */
  sign(bytes: Uint8Array): Promise<string>;
}

/**
 * Ordered from best to worst: a policy's minimum admits a status at or above it. `Revoked` and
 * `Unknown` are never admitted.
 */
export const TCB_STATUSES = [
  'UpToDate',
  'SWHardeningNeeded',
  'ConfigurationNeeded',
  'ConfigurationAndSWHardeningNeeded',
  'OutOfDate',
  'OutOfDateConfigurationNeeded',
  'Revoked',
  'Unknown',
] as const;
export type TcbStatus = (typeof TCB_STATUSES)[number];

/** Why a quote failed cryptographic or collateral verification. */
export type QuoteFailure =
  | 'quote_malformed'
  | 'quote_signature_invalid'
  | 'collateral_missing'
  | 'collateral_expired'
  | 'collateral_invalid'
  | 'tcb_level_unrecognized'
  | 'tcb_revoked';

/** What a verified quote says: the TEE, its TCB status, its measurement and its 64-byte report data. */
export type QuoteVerdict =
  | {
      ok: true;
      tee: 'sgx' | 'tdx';
      tcb_status: TcbStatus;
      advisory_ids: string[];
      /** SGX: MRENCLAVE; TDX: domain hash of MRTD and RTMR0..3 (64 hex). */
      measurement: string;
      /** The report data, 128 hex digits. */
      report_data: string;
    }
  | { ok: false; reason: QuoteFailure; detail: string };

/** Verifies DCAP quotes at a time the caller gives (seconds since the Unix epoch). */
export interface QuoteVerifier {
  verify(quote: Uint8Array, nowSecs: number): QuoteVerdict;
}
