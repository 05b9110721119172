/** Real SGX/TDX DCAP quotes and collateral (Phala-Network/dcap-qvl samples, MIT), and the times they verify at. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Collateral } from '@phala/dcap-qvl';

const dir = join(import.meta.dirname, '..', 'fixtures', 'tee-quotes');

export const QUOTE_NAMES = ['sgx_quote', 'tdx_quote', 'tdx_quote_outdated'] as const;
export type QuoteName = (typeof QUOTE_NAMES)[number];

export const quoteBytes = (name: QuoteName): Uint8Array => new Uint8Array(readFileSync(join(dir, name)));
export const collateralOf = (name: QuoteName): Collateral =>
  JSON.parse(readFileSync(join(dir, `${name}_collateral.json`), 'utf8')) as Collateral;
export const allCollateral = (): Collateral[] => QUOTE_NAMES.map(collateralOf);

/** Inside the validity window of the SGX and TDX collateral (issued 2025-06-19, next update 2025-07-19). */
export const JULY_2025_MS = Date.parse('2025-07-01T00:00:00Z');
/** Inside the validity window of the outdated TDX collateral (issued 2026-02-18, next update 2026-03-20). */
export const MARCH_2026_MS = Date.parse('2026-03-01T00:00:00Z');
/** After every collateral expired. */
export const NOVEMBER_2026_MS = Date.parse('2026-11-28T00:00:00Z');
