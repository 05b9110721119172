import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AttestationEvidence, bytesToHex, domainHash, evidenceHash } from '@symphony/protocol';
import { DcapQuoteVerifier } from '../../src/adapters/dcap-quote-verifier.ts';
import { ManualClock } from '../../src/adapters/manual-clock.ts';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import { SimulatedTeeProvider } from '../../src/adapters/simulated-tee.ts';
import { hasErrorCode } from '../../src/ports/errors.ts';
import {
  AttestationVerifier,
  DEVELOPMENT_ATTESTATION_POLICY,
  PRODUCTION_ATTESTATION_POLICY,
} from '../../src/verification/attestation-verifier.ts';
import { allCollateral, JULY_2025_MS, MARCH_2026_MS, NOVEMBER_2026_MS, quoteBytes } from './tee-fixtures.ts';

const MEASUREMENT = domainHash('scp/v1/enclave-measurement', { runtime: 'test-executor', version: 1 });
const TRANSCRIPT = domainHash('scp/v1/execution-transcript', { test: 'transcript' });

async function simulatedEnclave(measurement = MEASUREMENT) {
  const tee = await SimulatedTeeProvider.open({ keyring: new MemoryKeyring(), keyName: 'enclave', measurement });
  return { tee, identity: await tee.identity(), evidence: await tee.attest(TRANSCRIPT) };
}

const devVerifier = () =>
  new AttestationVerifier({ policy: DEVELOPMENT_ATTESTATION_POLICY, clock: new ManualClock(0) });

/** Flips one bit of the character at `i` of a hex string, keeping it hex. */
const flipHex = (hex: string, i: number) =>
  hex.slice(0, i) + (Number.parseInt(hex[i]!, 16) ^ 1).toString(16) + hex.slice(i + 1);

describe('attestation verifier: simulated enclaves', () => {
  it('accepts evidence from a registered simulated enclave and labels it simulated', async () => {
    const { identity, evidence } = await simulatedEnclave();
    const outcome = devVerifier().verify(evidence, {
      report_data: TRANSCRIPT,
      enclaves: [identity],
      evidence_hash: evidenceHash(evidence),
    });
    assert.deepEqual(outcome, { kind: 'accepted', provider: 'simulated', measurement: MEASUREMENT, simulated: true });
  });

  it('rejects evidence with any one flipped byte, with or without the receipt binding', async () => {
    const { identity, evidence } = await simulatedEnclave();
    const verifier = devVerifier();
    for (const field of ['measurement', 'enclave_public_key', 'report_data', 'body'] as const) {
      for (let i = 0; i < evidence[field].length; i += 2) {
        const tampered: AttestationEvidence = { ...evidence, [field]: flipHex(evidence[field], i) };
        const bound = verifier.verify(tampered, {
          report_data: TRANSCRIPT,
          enclaves: [identity],
          evidence_hash: evidenceHash(evidence),
        });
        assert.deepEqual(bound.kind === 'rejected' && bound.reason, 'evidence_hash_mismatch', `${field}[${i}]`);
        // Even without the receipt's evidence hash, the evidence itself does not verify.
        const unbound = verifier.verify(tampered, { report_data: TRANSCRIPT, enclaves: [identity] });
        assert.equal(unbound.kind, 'rejected', `${field}[${i}] accepted without the receipt binding`);
      }
    }
  });

  it('rejects an unknown measurement, a foreign enclave key and another transcript', async () => {
    const { identity, evidence } = await simulatedEnclave();
    const other = await simulatedEnclave(domainHash('scp/v1/enclave-measurement', { runtime: 'other', version: 1 }));
    const verifier = devVerifier();
    const reason = (e: unknown, enclaves = [identity], report_data = TRANSCRIPT) => {
      const o = verifier.verify(e, { report_data, enclaves });
      return o.kind === 'rejected' ? o.reason : 'accepted';
    };
    assert.equal(reason(other.evidence), 'measurement_unknown');
    assert.equal(reason(evidence, []), 'measurement_unknown');
    const sameCodeOtherKey = await simulatedEnclave();
    assert.equal(reason(sameCodeOtherKey.evidence), 'enclave_key_mismatch');
    assert.equal(
      reason(evidence, [identity], domainHash('scp/v1/execution-transcript', { other: 1 })),
      'report_data_mismatch',
    );
    assert.equal(reason({ ...evidence, body: 'zz' }), 'evidence_malformed');
  });

  it('rejects measurements outside the policy allow-list even when registered', async () => {
    const { identity, evidence } = await simulatedEnclave();
    const verifier = new AttestationVerifier({
      policy: { ...DEVELOPMENT_ATTESTATION_POLICY, allowed_measurements: [domainHash('scp/v1/x', {})] },
      clock: new ManualClock(0),
    });
    const o = verifier.verify(evidence, { report_data: TRANSCRIPT, enclaves: [identity] });
    assert.equal(o.kind === 'rejected' && o.reason, 'measurement_not_allowed');
  });

  it('refuses simulated attestation under the production policy, and a simulated enclave with the production flag', async () => {
    const { identity, evidence } = await simulatedEnclave();
    const verifier = new AttestationVerifier({ policy: PRODUCTION_ATTESTATION_POLICY, clock: new ManualClock(0) });
    const o = verifier.verify(evidence, {
      report_data: TRANSCRIPT,
      enclaves: [identity],
      evidence_hash: evidenceHash(evidence),
    });
    assert.equal(o.kind === 'rejected' && o.reason, 'simulated_not_allowed');
    await assert.rejects(
      SimulatedTeeProvider.open({
        keyring: new MemoryKeyring(),
        keyName: 'e',
        measurement: MEASUREMENT,
        production: true,
      }),
      (e) => hasErrorCode(e) && e.code === 'simulated_tee_refused',
    );
  });
});

describe('attestation verifier: DCAP quotes under a policy and a fixed clock', () => {
  const quotes = new DcapQuoteVerifier(allCollateral());
  const ENCLAVE_KEY = 'ab'.repeat(32);
  /** Evidence around a real quote, registered with the quote's own measurement. */
  const quoteEvidence = (name: 'sgx_quote' | 'tdx_quote' | 'tdx_quote_outdated', atMs: number) => {
    const body = quoteBytes(name);
    const verdict = quotes.verify(body, Math.floor(JULY_2025_MS / 1000));
    const provider = name === 'sgx_quote' ? ('sgx' as const) : ('tdx' as const);
    const measurement = verdict.ok ? verdict.measurement : domainHash('scp/v1/x', { name });
    const evidence: AttestationEvidence = {
      schema_version: 1,
      provider,
      measurement,
      enclave_public_key: ENCLAVE_KEY,
      report_data: TRANSCRIPT,
      body: bytesToHex(body),
    };
    return {
      evidence,
      enclaves: [{ provider, measurement, enclave_public_key: ENCLAVE_KEY }],
      clock: new ManualClock(atMs),
    };
  };
  const reasonOf = (
    name: 'sgx_quote' | 'tdx_quote' | 'tdx_quote_outdated',
    atMs: number,
    policy = PRODUCTION_ATTESTATION_POLICY,
  ) => {
    const { evidence, enclaves, clock } = quoteEvidence(name, atMs);
    const o = new AttestationVerifier({ policy, clock, quotes }).verify(evidence, {
      report_data: TRANSCRIPT,
      enclaves,
    });
    return o.kind === 'rejected' ? o.reason : 'accepted';
  };

  it('passes the real TDX quote through signature, collateral, measurement and TCB checks', () => {
    // The sample quote's report data was not made for this transcript, so the last check (binding) fails:
    // every earlier check passed, including UpToDate under the production policy.
    assert.equal(reasonOf('tdx_quote', JULY_2025_MS), 'report_data_mismatch');
  });

  it('rejects the SGX quote below an UpToDate minimum, and admits its TCB under a lower minimum', () => {
    assert.equal(reasonOf('sgx_quote', JULY_2025_MS), 'tcb_status_below_minimum');
    const lenient = { ...PRODUCTION_ATTESTATION_POLICY, min_tcb_status: 'ConfigurationAndSWHardeningNeeded' as const };
    assert.equal(reasonOf('sgx_quote', JULY_2025_MS, lenient), 'report_data_mismatch');
  });

  it('rejects tdx_quote_outdated under a policy requiring UpToDate', () => {
    assert.equal(reasonOf('tdx_quote_outdated', MARCH_2026_MS), 'tcb_level_unrecognized');
  });

  it('rejects quotes whose collateral expired by the verifier clock', () => {
    assert.equal(reasonOf('tdx_quote', NOVEMBER_2026_MS), 'collateral_expired');
  });

  it('rejects a quote registered under another measurement or provider', () => {
    const { evidence, enclaves, clock } = quoteEvidence('tdx_quote', JULY_2025_MS);
    const verifier = new AttestationVerifier({ policy: PRODUCTION_ATTESTATION_POLICY, clock, quotes });
    const wrong = { ...evidence, measurement: domainHash('scp/v1/x', {}) };
    const a = verifier.verify(wrong, {
      report_data: TRANSCRIPT,
      enclaves: [{ ...enclaves[0]!, measurement: wrong.measurement }],
    });
    assert.equal(a.kind === 'rejected' && a.reason, 'measurement_mismatch');
    const asSgx = { ...evidence, provider: 'sgx' as const };
    const b = verifier.verify(asSgx, { report_data: TRANSCRIPT, enclaves: [{ ...enclaves[0]!, provider: 'sgx' }] });
    assert.equal(b.kind === 'rejected' && b.reason, 'provider_mismatch');
    const c = new AttestationVerifier({ policy: PRODUCTION_ATTESTATION_POLICY, clock }).verify(evidence, {
      report_data: TRANSCRIPT,
      enclaves,
    });
    assert.equal(c.kind === 'rejected' && c.reason, 'quote_verifier_missing');
  });
});
