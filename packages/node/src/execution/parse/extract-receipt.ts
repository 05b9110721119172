/**
 * The deterministic receipt extractor: a pure function from a receipt's text (OCR output or a
 * PDF's text layer) to canonical fields. No I/O, no clock, no randomness: equal text in, equal
 * fields out, so a Parse output hash is reproducible whenever the text is.
 */
import { CATEGORY_KEYWORDS, MERCHANT_DIRECTORY, type ReceiptCategory } from './merchant-directory.ts';

/** One purchased line of a receipt. */
export type LineItem = { description: string; quantity: number; amount: string };

/** The canonical fields of a parsed receipt (null where the text does not show a field). */
export type ReceiptFields = {
  merchant: string | null;
  category: ReceiptCategory;
  currency: string | null;
  /** Decimal string with two fraction digits, e.g. "12.50". */
  total_amount: string | null;
  /** Calendar date as printed on the receipt, `YYYY-MM-DD`. */
  date: string | null;
  /** Local time as printed, `HH:MM`. */
  time: string | null;
  /** `date` and `time` as an ISO timestamp; the receipt's local time is written as UTC (no zone is printed). */
  purchased_at: string | null;
  line_items: LineItem[];
};

/** Version of the extraction rules; bump on any change to this file or the merchant directory. */
export const EXTRACTOR_RULES_VERSION = 'receipt-extractor/1';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const ISO_CURRENCIES = ['USD', 'EUR', 'GBP', 'SGD', 'AUD', 'CAD', 'CHF', 'MYR', 'NZD', 'HKD'];
const NON_ITEM =
  /\b(SUB ?TOTAL|TOTAL|TAX|GST|VAT|CASH|CHANGE|CARD|VISA|MASTERCARD|TENDER|PAID|BALANCE|AMOUNT|DUE|TIP|ROUNDING|TEL|PHONE|RECEIPT|INVOICE|DATE|TIME|THANK)\b/;

/** Normalizes one line: upper case, unified spaces, common OCR confusions inside numbers fixed. */
function normalizeLine(line: string): string {
  const upper = line
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[\u2014\u2013]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
  // Inside amounts, dates and times (digits around a separator), O is 0 and I/L are 1: tesseract's
  // usual confusions on digits. Words such as "2L" are left alone.
  return upper.replace(/\b[0-9OIL]*[0-9][0-9OIL]*[.,:/-][0-9OIL.,:/-]*\b/g, (tok) =>
    tok.replace(/O/g, '0').replace(/[IL]/g, '1'),
  );
}

const AMOUNT = /(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d{1,3}(?:\.\d{3})+|\d+)([.,])(\d{2})(?![\d])/g;
/** On a total line a time cannot appear, so "16:99" is an amount whose point was read as a colon. */
const LENIENT_AMOUNT = /(?<![\d.,:])(\d{1,3}(?:,\d{3})+|\d+)([.,:])(\d{2})(?![\d:])/g;

/** Money amounts on a line, in order, as decimal strings with two fraction digits. */
export function amountsOf(line: string, lenient = false): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(lenient ? LENIENT_AMOUNT : AMOUNT)) {
    const whole = m[1]!;
    const sep = m[2]!;
    // A thousands group using the decimal separator itself is not an amount ("1.234.56").
    if (whole.includes(sep)) continue;
    const digits = whole.replace(/[.,]/g, '');
    out.push(`${String(Number.parseInt(digits, 10))}.${m[3]!}`);
  }
  return out;
}

const TOTAL_KEYWORDS: readonly (readonly [RegExp, number])[] = [
  [/\bGRAND TOTAL\b/, 4],
  [/\b(TOTAL|AMOUNT|BALANCE) (DUE|TO PAY|PAYABLE)\b/, 3],
  [/\bTOTAL\b/, 2],
];
const NOT_TOTAL = /\b(SUB ?-?TOTAL|TOTAL (TAX|ITEMS?|QTY|SAVINGS|DISCOUNT)|TAX TOTAL)\b/;

function findTotal(lines: readonly string[]): { amount: string | null; index: number } {
  let best: { amount: string; index: number; rank: number } | undefined;
  for (const [index, line] of lines.entries()) {
    if (NOT_TOTAL.test(line)) continue;
    const rank = TOTAL_KEYWORDS.find(([re]) => re.test(line))?.[1];
    if (rank === undefined) continue;
    // The amount is on the line, else on the next line, else alone on the line above (column split).
    const above = lines[index - 1] ?? '';
    const amount =
      amountsOf(line, true).at(-1) ??
      amountsOf(lines[index + 1] ?? '').at(-1) ??
      (/[A-Z]{2}/.test(above) ? undefined : amountsOf(above).at(-1));
    if (amount === undefined) continue;
    if (!best || rank > best.rank || (rank === best.rank && index > best.index)) best = { amount, index, rank };
  }
  if (best) return { amount: best.amount, index: best.index };
  // No total keyword: the largest amount not on a payment line.
  let largest: { amount: string; index: number } | undefined;
  for (const [index, line] of lines.entries()) {
    if (/\b(CASH|CHANGE|TENDER|CARD)\b/.test(line)) continue;
    for (const a of amountsOf(line))
      if (!largest || Number.parseFloat(a) > Number.parseFloat(largest.amount)) largest = { amount: a, index };
  }
  return largest ?? { amount: null, index: -1 };
}

const pad2 = (n: number) => String(n).padStart(2, '0');

function validDate(y: number, m: number, d: number): string | null {
  if (y < 2000 || y > 2099 || m < 1 || m > 12 || d < 1) return null;
  const days = [31, y % 4 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return d <= days ? `${y}-${pad2(m)}-${pad2(d)}` : null;
}

const year4 = (y: string) => (y.length === 2 ? 2000 + Number(y) : Number(y));

function monthOf(word: string): number {
  return MONTHS.indexOf(word.slice(0, 3)) + 1;
}

/** The first date on the receipt; numeric day/month order follows the currency (US: month first). */
function findDate(lines: readonly string[], currency: string | null): string | null {
  for (const line of lines) {
    const iso = /\b(20\d{2})[-/.](\d{1,2})[-/.](\d{1,2})\b/.exec(line);
    if (iso) {
      const d = validDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
      if (d) return d;
    }
    const named = /\b(\d{1,2})[ -]?([A-Z]{3,9})[-,. ]*(20\d{2}|\d{2})\b/.exec(line);
    if (named && monthOf(named[2]!) > 0) {
      const d = validDate(year4(named[3]!), monthOf(named[2]!), Number(named[1]));
      if (d) return d;
    }
    const us = /\b([A-Z]{3,9})\.? (\d{1,2})[^A-Z0-9]{0,3}(20\d{2})\b/.exec(line);
    if (us && monthOf(us[1]!) > 0) {
      const d = validDate(Number(us[3]), monthOf(us[1]!), Number(us[2]));
      if (d) return d;
    }
    const numeric = /\b(\d{1,2})([/.-])(\d{1,2})\2(20\d{2}|\d{2})\b/.exec(line);
    if (numeric) {
      const a = Number(numeric[1]);
      const b = Number(numeric[3]);
      const y = year4(numeric[4]!);
      const monthFirst = a <= 12 && (b > 12 || (currency === 'USD' && numeric[2] === '/'));
      const d = monthFirst ? validDate(y, a, b) : validDate(y, b, a);
      if (d) return d;
    }
  }
  return null;
}

function findTime(lines: readonly string[]): string | null {
  for (const line of lines) {
    const m = /\b(\d{1,2}):(\d{2})(?::\d{2})?(?: ?([AP])\.?M\b)?/.exec(line);
    if (!m) continue;
    let h = Number(m[1]);
    const min = Number(m[2]);
    if (m[3] === 'P' && h < 12) h += 12;
    if (m[3] === 'A' && h === 12) h = 0;
    if (h < 24 && min < 60) return `${pad2(h)}:${pad2(min)}`;
  }
  return null;
}

function findCurrency(lines: readonly string[], totalIndex: number): string | null {
  const ordered = totalIndex >= 0 ? [lines[totalIndex]!, ...lines] : lines;
  for (const line of ordered) {
    const code = ISO_CURRENCIES.find((c) => new RegExp(`\\b${c}\\b`).test(line));
    if (code) return code;
  }
  const text = ordered.join('\n');
  if (/S\$/.test(text)) return 'SGD';
  if (/€/.test(text)) return 'EUR';
  if (/£/.test(text)) return 'GBP';
  if (/\bRM ?\d/.test(text)) return 'MYR';
  if (/\$/.test(text)) return 'USD';
  return null;
}

/** Levenshtein distance, bounded: returns `limit + 1` as soon as it is exceeded. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/** A line as a merchant candidate: letters, digits, '&' and single spaces, stray one-character tokens at the edges dropped. */
const merchantKey = (line: string) =>
  line
    .replace(/[^A-Z0-9& ]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(?:\S )+(?=\S{2})/, '')
    .replace(/(?<=\S{2})(?: \S)+$/, '');

/** The merchant: a directory name close to one of the first lines, else the first name-like line. */
function findMerchant(lines: readonly string[]): string | null {
  const head = lines.slice(0, 5).map(merchantKey);
  for (const key of head) {
    for (const [name] of MERCHANT_DIRECTORY) {
      const limit = Math.max(1, Math.floor(name.length / 6));
      if (distance(key, name, limit) <= limit) return name;
    }
  }
  for (const key of head) {
    const letters = key.replace(/[^A-Z]/g, '').length;
    if (letters >= 3 && letters / key.replace(/ /g, '').length > 0.7 && !NON_ITEM.test(key)) return key;
  }
  return null;
}

function findCategory(merchant: string | null, items: readonly LineItem[]): ReceiptCategory {
  const known = MERCHANT_DIRECTORY.find(([name]) => name === merchant);
  if (known) return known[1];
  const haystack = [merchant ?? '', ...items.map((i) => i.description)].join(' ');
  return CATEGORY_KEYWORDS.find(([word]) => haystack.includes(word))?.[1] ?? 'other';
}

/** Lines above the total that end in an amount and read like a product. */
function findLineItems(lines: readonly string[], totalIndex: number): LineItem[] {
  const end = totalIndex >= 0 ? totalIndex : lines.length;
  const items: LineItem[] = [];
  for (const line of lines.slice(0, end)) {
    if (NON_ITEM.test(line)) continue;
    const amounts = amountsOf(line);
    const amount = amounts.at(-1);
    if (amount === undefined) continue;
    const firstAmount = line.search(/\d+[.,]\d{2}(?!\d)/);
    let description = line.slice(0, firstAmount === -1 ? line.length : firstAmount);
    let quantity = 1;
    const qty = /(?:^|\s)(\d{1,3}) ?[X@*] ?$/.exec(description) ?? /^(\d{1,3}) ?[X@*] /.exec(description);
    if (qty) {
      quantity = Number(qty[1]);
      description = description.replace(qty[0], ' ');
    }
    description = description
      .replace(/[^A-Z0-9&' ]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (description.replace(/[^A-Z]/g, '').length < 2) continue;
    items.push({ description, quantity, amount });
  }
  return items;
}

/** Extracts canonical receipt fields from text. Pure and deterministic. */
export function extractReceipt(text: string): ReceiptFields {
  const lines = text
    .split(/\r?\n/)
    .map(normalizeLine)
    .filter((l) => l.length > 0);
  const total = findTotal(lines);
  const currency = findCurrency(lines, total.index);
  const date = findDate(lines, currency);
  const time = findTime(lines);
  const merchant = findMerchant(lines);
  const line_items = findLineItems(lines, total.index);
  return {
    merchant,
    category: findCategory(merchant, line_items),
    currency,
    total_amount: total.amount,
    date,
    time,
    purchased_at: date ? `${date}T${time ?? '00:00'}:00Z` : null,
    line_items,
  };
}
