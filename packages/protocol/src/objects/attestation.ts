/**
 * Attestation objects: which enclave a node runs (registered in the log) and the evidence that
 * binds one execution transcript to that enclave. A `simulated` provider is a software enclave
 * with no hardware root of trust; it is labelled as such everywhere and refused by production policy.
 */
import Type, { type Static } from 'typebox';
import { domainHash, type Hex64 } from '../hashing/domain-hash.ts';
import { Hex64String, PublicKeyHex, SchemaVersion } from './common.ts';
import { DomainTags } from './domain-tags.ts';

/** Who produced the evidence: a software enclave (`simulated`) or Intel SGX / TDX hardware (DCAP quotes). */
export const TEE_PROVIDERS = ['simulated', 'sgx', 'tdx'] as const;
export type TeeProviderKind = (typeof TEE_PROVIDERS)[number];
export const TeeProviderSchema = Type.Enum(TEE_PROVIDERS);

/**
 * An enclave a node declares at registration. `measurement` is the code identity: for `simulated`
 * the executor runtime's measurement constant, for `sgx` MRENCLAVE, for `tdx` the domain hash of
 * MRTD and RTMR0..3 (see docs/protocol.md). The enclave key signs execution transcripts.
 */
export const EnclaveRegistration = Type.Object(
  { provider: TeeProviderSchema, measurement: Hex64String, enclave_public_key: PublicKeyHex },
  { additionalProperties: false, description: 'An enclave a node runs: provider, code measurement and enclave key.' },
);
export type EnclaveRegistration = Static<typeof EnclaveRegistration>;

/**
 * Evidence for one execution: `report_data` is the transcript hash. `body` is, for `simulated`, the
 * enclave key's Ed25519 signature over `simulatedEvidenceDigest`; for `sgx`/`tdx` the raw DCAP quote,
 * whose 64-byte report data is `report_data || enclaveKeyBinding(enclave_public_key)`.
 */
export const AttestationEvidence = Type.Object(
  {
    schema_version: SchemaVersion,
    provider: TeeProviderSchema,
    measurement: Hex64String,
    enclave_public_key: PublicKeyHex,
    report_data: Hex64String,
    body: Type.String({
      pattern: '^([0-9a-f]{2})+$',
      maxLength: 65_536,
      description: 'Signature or quote bytes, hex.',
    }),
  },
  { additionalProperties: false, description: 'Attestation evidence binding a transcript hash to an enclave.' },
);
export type AttestationEvidence = Static<typeof AttestationEvidence>;

/** `evidence_hash` as carried by a receipt's `attestation`. */
export function evidenceHash(evidence: AttestationEvidence): Hex64 {
  return domainHash(DomainTags.attestationEvidence, evidence);
}

/** What a simulated enclave signs as its evidence: provider, measurement, enclave key and report data. */
export function simulatedEvidenceDigest(
  claims: Pick<AttestationEvidence, 'measurement' | 'enclave_public_key' | 'report_data'>,
): Hex64 {
  return domainHash(DomainTags.simulatedAttestation, {
    provider: 'simulated',
    measurement: claims.measurement,
    enclave_public_key: claims.enclave_public_key,
    report_data: claims.report_data,
  });
}

/** The second half of a DCAP quote's report data: binds the enclave key that signs transcripts. */
export function enclaveKeyBinding(enclavePublicKey: string): Hex64 {
  return domainHash(DomainTags.enclaveKeyBinding, { enclave_public_key: enclavePublicKey });
}
