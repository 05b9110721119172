/**
 * `QuoteVerifier` for real Intel SGX and TDX DCAP quotes, through `@phala/dcap-qvl` (pure JS):
 * quote and QE signatures, the PCK certificate chain to Intel's root CA, CRLs, TCB info and QE
 * identity from stored collateral, all at a time the caller gives. No network access: collateral
 * is supplied up front (e.g. fetched from a PCCS by an operator, or test fixtures).
 */
import { type Collateral, intel, Quote, verify } from '@phala/dcap-qvl';
import { bytesToHex, domainHash } from '@symphony/protocol';
import type { QuoteFailure, QuoteVerdict, QuoteVerifier, TcbStatus } from '../ports/tee-provider.ts';
import { TCB_STATUSES } from '../ports/tee-provider.ts';

/** The TDX measurement the protocol registers: MRTD and the four runtime measurement registers, hashed. */
export function tdxMeasurement(report: {
  mrTd: Uint8Array;
  rtMr0: Uint8Array;
  rtMr1: Uint8Array;
  rtMr2: Uint8Array;
  rtMr3: Uint8Array;
}): string {
  return domainHash('scp/v1/tdx-measurement', {
    mr_td: bytesToHex(report.mrTd),
    rtmr0: bytesToHex(report.rtMr0),
    rtmr1: bytesToHex(report.rtMr1),
    rtmr2: bytesToHex(report.rtMr2),
    rtmr3: bytesToHex(report.rtMr3),
  });
}

/** Maps a dcap-qvl error message to a stable reason code. */
export function quoteFailureOf(message: string): QuoteFailure {
  if (/for tcb_info|for qe_identity|Failed to decode (TcbInfo|QeIdentity)/i.test(message)) return 'collateral_invalid';
  if (/expired|in the future|not yet valid/i.test(message)) return 'collateral_expired';
  if (/revoked/i.test(message)) return 'tcb_revoked';
  if (/No matching TCB level/i.test(message)) return 'tcb_level_unrecognized';
  if (/decode quote|Not enough data|Unsupported|Invalid TEE|must have version/i.test(message)) return 'quote_malformed';
  return 'quote_signature_invalid';
}

/** Verifies quotes against collateral stored by TCB-info id (`SGX`/`TDX`) and FMSPC. */
export class DcapQuoteVerifier implements QuoteVerifier {
  readonly #collateral = new Map<string, Collateral>();

  constructor(collaterals: readonly Collateral[]) {
    for (const c of collaterals) {
      const info = JSON.parse(c.tcb_info) as { id?: string; fmspc: string };
      this.#collateral.set(`${info.id ?? 'SGX'}/${info.fmspc.toLowerCase()}`, c);
    }
  }

  verify(quote: Uint8Array, nowSecs: number): QuoteVerdict {
    let parsed: Quote;
    try {
      parsed = Quote.parse(quote);
    } catch (error) {
      return { ok: false, reason: 'quote_malformed', detail: (error as Error).message };
    }
    const tee = parsed.report.isSgx() ? 'sgx' : 'tdx';
    let collateral: Collateral | undefined;
    try {
      collateral = this.#collateral.get(`${tee.toUpperCase()}/${bytesToHex(intel.getFmspc(parsed))}`);
    } catch (error) {
      return { ok: false, reason: 'quote_malformed', detail: (error as Error).message };
    }
    if (!collateral)
      return { ok: false, reason: 'collateral_missing', detail: `no stored ${tee} collateral for this FMSPC` };
    try {
      const verified = verify(quote, collateral, nowSecs);
      const status = (TCB_STATUSES as readonly string[]).includes(verified.status)
        ? (verified.status as TcbStatus)
        : 'Unknown';
      const sgx = verified.report.asSgx();
      const td = verified.report.asTd10();
      const body = sgx ?? td;
      if (!body) return { ok: false, reason: 'quote_malformed', detail: 'quote has no report body' };
      return {
        ok: true,
        tee,
        tcb_status: status,
        advisory_ids: [...verified.advisory_ids],
        measurement: sgx ? bytesToHex(sgx.mrEnclave) : tdxMeasurement(td!),
        report_data: bytesToHex(body.reportData),
      };
    } catch (error) {
      const message = (error as Error).message;
      return { ok: false, reason: quoteFailureOf(message), detail: message };
    }
  }
}
