/**
 * The merchant directory and keyword table of the receipt extractor: known merchant names with
 * their category, and item keywords that decide a category when the merchant is unknown. Part of
 * the extractor's identity: changing it changes `EXTRACTOR_VERSION`'s hash.
 */

/** Categories the extractor can assign (values of the `category` attribute). */
export const RECEIPT_CATEGORIES = [
  'grocery',
  'coffee',
  'restaurant',
  'pharmacy',
  'fuel',
  'electronics',
  'books',
  'clothing',
  'other',
] as const;
export type ReceiptCategory = (typeof RECEIPT_CATEGORIES)[number];

/** Known merchants (upper case, single spaces) and their category. */
export const MERCHANT_DIRECTORY: readonly (readonly [string, ReceiptCategory])[] = [
  ['CORNER GROCERY', 'grocery'],
  ['FRESHMART', 'grocery'],
  ['GREEN VALLEY MARKET', 'grocery'],
  ['KOPI CORNER', 'coffee'],
  ['BEAN THERE CAFE', 'coffee'],
  ['DAILY GRIND', 'coffee'],
  ['THE NOODLE HOUSE', 'restaurant'],
  ['HARBOUR BISTRO', 'restaurant'],
  ['SUNRISE PHARMACY', 'pharmacy'],
  ['CITY CHEMIST', 'pharmacy'],
  ['PETROLINK', 'fuel'],
  ['VOLT ELECTRONICS', 'electronics'],
  ['PAGE TURNER BOOKS', 'books'],
  ['THREADS AND CO', 'clothing'],
];

/** Keywords of line items or merchant names, in priority order, and the category they imply. */
export const CATEGORY_KEYWORDS: readonly (readonly [string, ReceiptCategory])[] = [
  ['PHARMACY', 'pharmacy'],
  ['CHEMIST', 'pharmacy'],
  ['PARACETAMOL', 'pharmacy'],
  ['VITAMIN', 'pharmacy'],
  ['UNLEADED', 'fuel'],
  ['DIESEL', 'fuel'],
  ['PETROL', 'fuel'],
  ['CAFE', 'coffee'],
  ['COFFEE', 'coffee'],
  ['LATTE', 'coffee'],
  ['ESPRESSO', 'coffee'],
  ['KOPI', 'coffee'],
  ['NOODLE', 'restaurant'],
  ['BISTRO', 'restaurant'],
  ['RESTAURANT', 'restaurant'],
  ['BOOK', 'books'],
  ['CABLE', 'electronics'],
  ['CHARGER', 'electronics'],
  ['SHIRT', 'clothing'],
  ['GROCERY', 'grocery'],
  ['MARKET', 'grocery'],
  ['MILK', 'grocery'],
  ['BREAD', 'grocery'],
];
