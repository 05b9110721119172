/**
 * Exact decimal arithmetic for attribute values: decimals are strings ("12.50") carried as
 * integers scaled by 10^6 inside, so sums and means are reproducible byte for byte.
 */
export const DECIMAL_SCALE = 6;
const FACTOR = 10n ** BigInt(DECIMAL_SCALE);
const DECIMAL = /^(-?)(0|[1-9][0-9]{0,17})(?:\.([0-9]{1,6}))?$/;

/** Parses a decimal string with at most 6 fraction digits; undefined when it is not one. */
export function parseDecimal(text: string): bigint | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const whole = BigInt(m[2]!) * FACTOR + BigInt((m[3] ?? '').padEnd(DECIMAL_SCALE, '0'));
  return m[1] === '-' ? -whole : whole;
}

/** Formats a scaled integer as a decimal string without trailing zeros ("12.5", "3"). */
export function formatDecimal(scaled: bigint): string {
  const negative = scaled < 0n;
  const abs = negative ? -scaled : scaled;
  const whole = abs / FACTOR;
  const fraction = (abs % FACTOR).toString().padStart(DECIMAL_SCALE, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Integer division rounded toward zero, formatted: the mean of `count` values summing to `scaledSum`. */
export function formatMean(scaledSum: bigint, count: number): string {
  return formatDecimal(scaledSum / BigInt(count));
}
