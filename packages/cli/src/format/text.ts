/** Small text helpers for identifiers, hashes and amounts. */

/** Shortens a long hex string to `abcdef12…34567890`; short strings are returned as they are. */
export function shortHex(hex: string, keep = 8): string {
  return hex.length <= keep * 2 + 1 ? hex : `${hex.slice(0, keep)}…${hex.slice(-keep)}`;
}

/** Groups the digits of an integer amount string: `1234567` -> `1,234,567`. Other strings are returned unchanged. */
export function groupDigits(amount: string): string {
  return /^-?\d+$/.test(amount) ? amount.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : amount;
}

/** `1 task`, `3 tasks`. */
export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : pluralNoun}`;
}
