import { EncodingError } from './canonical.ts';

/** A non-negative integer amount in base units, as a decimal string without sign or leading zeros. */
export type Amount = string;

/** A signed integer delta in base units, as a decimal string (`-0` is not allowed). */
export type SignedAmount = string;

/** Most decimal digits an amount may have (enough for any 256-bit unsigned value). */
export const AMOUNT_MAX_DIGITS = 78;

/** JSON Schema `pattern` of an {@link Amount}; the digit bound is part of the pattern. */
export const AMOUNT_PATTERN = '^(0|[1-9][0-9]{0,77})$';

/** JSON Schema `pattern` of a {@link SignedAmount}; the digit bound is part of the pattern. */
export const SIGNED_AMOUNT_PATTERN = '^(0|-?[1-9][0-9]{0,77})$';

const amountRegex = new RegExp(AMOUNT_PATTERN);
const signedAmountRegex = new RegExp(SIGNED_AMOUNT_PATTERN);

/** True if `s` is a well-formed {@link Amount}. */
export function isAmount(s: unknown): s is Amount {
  return typeof s === 'string' && amountRegex.test(s);
}

/** True if `s` is a well-formed {@link SignedAmount}. */
export function isSignedAmount(s: unknown): s is SignedAmount {
  return typeof s === 'string' && signedAmountRegex.test(s);
}

function invalid(what: string): never {
  throw new EncodingError('invalid_amount', what);
}

function show(s: unknown): string {
  return typeof s === 'string' ? JSON.stringify(s.length > 90 ? `${s.slice(0, 90)}...` : s) : typeof s;
}

/** Parses an {@link Amount}; throws EncodingError `invalid_amount` on anything else. */
export function parseAmount(s: string): bigint {
  if (!isAmount(s)) invalid(`not an amount (decimal digits, no sign, no leading zeros): ${show(s)}`);
  return BigInt(s);
}

/** Parses a {@link SignedAmount}; throws EncodingError `invalid_amount` on anything else. */
export function parseSignedAmount(s: string): bigint {
  if (!isSignedAmount(s)) invalid(`not a signed amount (optional '-', no leading zeros, no -0): ${show(s)}`);
  return BigInt(s);
}

/** Formats a non-negative bigint as an {@link Amount}; throws `invalid_amount` if negative or too large. */
export function toAmount(n: bigint): Amount {
  if (typeof n !== 'bigint') invalid(`not a bigint: ${typeof n}`);
  if (n < 0n) invalid(`negative amount: ${n}`);
  const s = n.toString();
  if (s.length > AMOUNT_MAX_DIGITS) invalid(`amount has more than ${AMOUNT_MAX_DIGITS} digits`);
  return s;
}

/** Formats a bigint as a {@link SignedAmount}; throws `invalid_amount` if its magnitude is too large. */
export function toSignedAmount(n: bigint): SignedAmount {
  if (typeof n !== 'bigint') invalid(`not a bigint: ${typeof n}`);
  const s = n.toString();
  if (s.length - (n < 0n ? 1 : 0) > AMOUNT_MAX_DIGITS) invalid(`amount has more than ${AMOUNT_MAX_DIGITS} digits`);
  return s;
}

/** Exact sum of bigints (`0n` for none). */
export function sumBigints(xs: Iterable<bigint>): bigint {
  let total = 0n;
  for (const x of xs) total += x;
  return total;
}

/** Exact sum of amounts (`'0'` for none); throws `invalid_amount` on a malformed input or an oversized sum. */
export function addAmounts(...xs: Amount[]): Amount {
  return toAmount(sumBigints(xs.map(parseAmount)));
}
