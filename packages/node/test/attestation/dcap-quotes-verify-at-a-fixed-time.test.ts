import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DcapQuoteVerifier } from '../../src/adapters/dcap-quote-verifier.ts';
import {
  allCollateral,
  collateralOf,
  JULY_2025_MS,
  MARCH_2026_MS,
  NOVEMBER_2026_MS,
  quoteBytes,
} from './tee-fixtures.ts';

const secs = (ms: number) => Math.floor(ms / 1000);
const verifier = new DcapQuoteVerifier(allCollateral());

describe('DCAP quotes through @phala/dcap-qvl with stored collateral', () => {
  it('verifies the TDX quote as UpToDate with no advisories', () => {
    const v = verifier.verify(quoteBytes('tdx_quote'), secs(JULY_2025_MS));
    assert.ok(v.ok, JSON.stringify(v));
    assert.equal(v.tee, 'tdx');
    assert.equal(v.tcb_status, 'UpToDate');
    assert.deepEqual(v.advisory_ids, []);
    assert.match(v.measurement, /^[0-9a-f]{64}$/);
    assert.match(v.report_data, /^[0-9a-f]{128}$/);
  });

  it('verifies the SGX quote as ConfigurationAndSWHardeningNeeded with its two advisories', () => {
    const v = verifier.verify(quoteBytes('sgx_quote'), secs(JULY_2025_MS));
    assert.ok(v.ok, JSON.stringify(v));
    assert.equal(v.tee, 'sgx');
    assert.equal(v.tcb_status, 'ConfigurationAndSWHardeningNeeded');
    assert.deepEqual(v.advisory_ids, ['INTEL-SA-00289', 'INTEL-SA-00615']);
    assert.equal(v.measurement, '33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb');
  });

  it('rejects the outdated TDX quote: its platform TCB matches no level of the TCB info', () => {
    const v = verifier.verify(quoteBytes('tdx_quote_outdated'), secs(MARCH_2026_MS));
    assert.deepEqual(v.ok ? v : { ok: v.ok, reason: v.reason }, { ok: false, reason: 'tcb_level_unrecognized' });
  });

  it('rejects every quote once its collateral has expired', () => {
    for (const name of ['sgx_quote', 'tdx_quote', 'tdx_quote_outdated'] as const) {
      const v = verifier.verify(quoteBytes(name), secs(NOVEMBER_2026_MS));
      assert.equal(v.ok ? 'ok' : v.reason, 'collateral_expired', name);
    }
  });

  it('rejects a quote with a flipped byte in its signed report, its signature or its attestation key', () => {
    // Signed region (header + report), then a 4-byte length, then the ECDSA signature and attestation key.
    // Length fields, PEM separators and the quote's copy of Intel's root CA are not authenticated by DCAP
    // (the trusted root is built in); the evidence hash in a receipt covers every byte (attestation tests).
    const regions = { sgx_quote: 48 + 384, tdx_quote: 48 + 584 } as const;
    for (const name of ['sgx_quote', 'tdx_quote'] as const) {
      const original = quoteBytes(name);
      const signed = regions[name];
      const positions = [0, 5, 47, 48, signed - 64, signed - 1, signed + 4, signed + 67, signed + 131];
      for (let i = 60; i < signed; i += 53) positions.push(i);
      for (const i of positions) {
        const flipped = Uint8Array.from(original);
        flipped[i] = flipped[i]! ^ 0x01;
        const v = verifier.verify(flipped, secs(JULY_2025_MS));
        assert.equal(v.ok, false, `${name}: flipping byte ${i} was accepted`);
      }
    }
  });

  it('rejects a quote whose collateral is not stored, and bytes that are no quote', () => {
    const onlySgx = new DcapQuoteVerifier([collateralOf('sgx_quote')]);
    const v = onlySgx.verify(quoteBytes('tdx_quote'), secs(JULY_2025_MS));
    assert.equal(v.ok ? 'ok' : v.reason, 'collateral_missing');
    const junk = verifier.verify(new Uint8Array(40), secs(JULY_2025_MS));
    assert.equal(junk.ok ? 'ok' : junk.reason, 'quote_malformed');
  });
});
