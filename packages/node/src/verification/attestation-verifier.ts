/**
 * The attestation verifier: checks that evidence binds an expected transcript hash to an enclave
 * the executor registered in the log, under a policy (allowed measurements, minimum TCB status,
 * whether simulated enclaves count). It answers with a tagged outcome and a stable reason code,
 * never by throwing. Time comes from a `Clock`, so collateral validity is testable.
 */
import {
  AttestationEvidence,
  digestBytes,
  type EnclaveRegistration,
  enclaveKeyBinding,
  evidenceHash,
  hexToBytes,
  simulatedEvidenceDigest,
  type TeeProviderKind,
  verifyEd25519,
} from '@symphony/protocol';
import { Compile } from 'typebox/compile';
import type { Clock } from '../ports/clock.ts';
import type { QuoteFailure, QuoteVerifier, TcbStatus } from '../ports/tee-provider.ts';
import { TCB_STATUSES } from '../ports/tee-provider.ts';

/** What a verifier accepts. */
export type AttestationPolicy = {
  /** Whether `simulated` (software) enclaves are accepted. Never in production. */
  allow_simulated: boolean;
  /** The lowest TCB status admitted for hardware quotes (see `TCB_STATUSES` for the order). */
  min_tcb_status: TcbStatus;
  /** If set, only these measurements are accepted, on top of being registered by the executor. */
  allowed_measurements?: readonly string[];
};

/** Development and demo networks: simulated enclaves accepted, hardware quotes must be up to date. */
export const DEVELOPMENT_ATTESTATION_POLICY: AttestationPolicy = { allow_simulated: true, min_tcb_status: 'UpToDate' };
/** Production: hardware only, up to date. */
export const PRODUCTION_ATTESTATION_POLICY: AttestationPolicy = { allow_simulated: false, min_tcb_status: 'UpToDate' };

/** The policy for a network, given its production flag. */
export function attestationPolicyFor(production: boolean): AttestationPolicy {
  return production ? PRODUCTION_ATTESTATION_POLICY : DEVELOPMENT_ATTESTATION_POLICY;
}

/** Stable reasons an attestation is rejected. */
export type AttestationRejection =
  | 'evidence_malformed'
  | 'evidence_hash_mismatch'
  | 'simulated_not_allowed'
  | 'measurement_unknown'
  | 'measurement_not_allowed'
  | 'enclave_key_mismatch'
  | 'report_data_mismatch'
  | 'evidence_signature_invalid'
  | 'quote_verifier_missing'
  | 'provider_mismatch'
  | 'measurement_mismatch'
  | 'tcb_status_below_minimum'
  | QuoteFailure;

export type AttestationOutcome =
  | {
      kind: 'accepted';
      provider: TeeProviderKind;
      measurement: string;
      /** True for a software enclave: no hardware root of trust. */
      simulated: boolean;
      tcb_status?: TcbStatus;
      advisory_ids?: string[];
    }
  | { kind: 'rejected'; reason: AttestationRejection; detail: string };

/** What the evidence must match: the transcript hash and the executor's registered enclaves. */
export type AttestationExpectation = {
  report_data: string;
  enclaves: readonly EnclaveRegistration[];
  /** The `evidence_hash` a signed receipt committed to: then every byte of the evidence is bound. */
  evidence_hash?: string;
};

export type AttestationVerifierOptions = {
  policy: AttestationPolicy;
  clock: Clock;
  /** Needed for `sgx`/`tdx` evidence. */
  quotes?: QuoteVerifier;
};

const rank = (s: TcbStatus) => TCB_STATUSES.indexOf(s);
/** The evidence schema, compiled once (the dynamic checker costs more than the rest of a verification). */
const evidenceShape = Compile(AttestationEvidence);
const reject = (reason: AttestationRejection, detail: string): AttestationOutcome => ({
  kind: 'rejected',
  reason,
  detail,
});

export class AttestationVerifier {
  readonly #o: AttestationVerifierOptions;

  constructor(opts: AttestationVerifierOptions) {
    this.#o = opts;
  }

  get policy(): AttestationPolicy {
    return this.#o.policy;
  }

  verify(evidence: unknown, expect: AttestationExpectation): AttestationOutcome {
    if (!evidenceShape.Check(evidence)) return reject('evidence_malformed', 'evidence does not match its schema');
    if (expect.evidence_hash !== undefined && evidenceHash(evidence) !== expect.evidence_hash)
      return reject('evidence_hash_mismatch', 'evidence differs from what the receipt committed to');
    const policy = this.#o.policy;
    if (evidence.provider === 'simulated' && !policy.allow_simulated)
      return reject('simulated_not_allowed', 'simulated (software) attestation is refused by this policy');
    const registered = expect.enclaves.find(
      (e) => e.provider === evidence.provider && e.measurement === evidence.measurement,
    );
    if (!registered)
      return reject('measurement_unknown', `measurement ${evidence.measurement} is not registered for the executor`);
    if (policy.allowed_measurements && !policy.allowed_measurements.includes(evidence.measurement))
      return reject('measurement_not_allowed', `measurement ${evidence.measurement} is not allowed by policy`);
    if (registered.enclave_public_key !== evidence.enclave_public_key)
      return reject('enclave_key_mismatch', 'evidence names an enclave key other than the registered one');
    if (evidence.provider === 'simulated') return this.#simulated(evidence, expect);
    return this.#quote(evidence, expect);
  }

  #simulated(evidence: AttestationEvidence, expect: AttestationExpectation): AttestationOutcome {
    if (evidence.report_data !== expect.report_data)
      return reject('report_data_mismatch', 'evidence attests another transcript');
    const digest = digestBytes(simulatedEvidenceDigest(evidence));
    if (evidence.body.length !== 128 || !verifyEd25519(evidence.enclave_public_key, digest, evidence.body))
      return reject('evidence_signature_invalid', 'simulated evidence signature does not verify');
    return { kind: 'accepted', provider: 'simulated', measurement: evidence.measurement, simulated: true };
  }

  #quote(evidence: AttestationEvidence, expect: AttestationExpectation): AttestationOutcome {
    const quotes = this.#o.quotes;
    if (!quotes) return reject('quote_verifier_missing', 'no DCAP quote verifier is configured');
    const verdict = quotes.verify(hexToBytes(evidence.body), Math.floor(this.#o.clock.now() / 1000));
    if (!verdict.ok) return reject(verdict.reason, verdict.detail);
    if (verdict.tee !== evidence.provider)
      return reject('provider_mismatch', `evidence says ${evidence.provider}, the quote is ${verdict.tee}`);
    if (verdict.measurement !== evidence.measurement)
      return reject('measurement_mismatch', 'the quote measures other code than the evidence claims');
    const minimum = this.#o.policy.min_tcb_status;
    if (
      verdict.tcb_status === 'Revoked' ||
      verdict.tcb_status === 'Unknown' ||
      rank(verdict.tcb_status) > rank(minimum)
    )
      return reject('tcb_status_below_minimum', `TCB status ${verdict.tcb_status} is below ${minimum}`);
    const bound = `${expect.report_data}${enclaveKeyBinding(evidence.enclave_public_key)}`;
    if (evidence.report_data !== expect.report_data || verdict.report_data !== bound)
      return reject('report_data_mismatch', 'the quote report data does not bind this transcript and enclave key');
    return {
      kind: 'accepted',
      provider: verdict.tee,
      measurement: verdict.measurement,
      simulated: false,
      tcb_status: verdict.tcb_status,
      advisory_ids: verdict.advisory_ids,
    };
  }
}
