/**
 * Deterministic, realistic receipts for the semantic domain `commerce.receipt@1.0.0`. Every data
 * subject has a home city, a spending level, favourite merchants and category habits, and shops in
 * one to three Vaults, so aggregates over the data look like real purchase data. The output depends
 * only on the options: the same seed gives byte-identical records on every machine.
 */
import type { RecordInput } from '@symphony/api';
import { createPrng, mixSeed, type Prng } from './prng.ts';

/** The semantic domain the receipts are written for. */
export const RECEIPT_DOMAIN = 'commerce.receipt';
/** The semantic version of {@link RECEIPT_DOMAIN} the records fit. */
export const RECEIPT_SEMANTIC_VERSION = '1.0.0';
/** Purchases fall within this many days before the reference date. */
export const RECEIPT_WINDOW_DAYS = 60;

/** Values of the `category` attribute. */
export const RECEIPT_CATEGORIES = [
  'coffee',
  'grocery',
  'dining',
  'fitness',
  'transport',
  'electronics',
  'apparel',
  'pharmacy',
] as const;
/** One receipt category. */
export type ReceiptCategory = (typeof RECEIPT_CATEGORIES)[number];

/** Values of the `city` attribute. */
export const RECEIPT_CITIES = ['Singapore', 'Kuala Lumpur', 'Jakarta', 'Bangkok', 'Manila'] as const;
/** One city. */
export type ReceiptCity = (typeof RECEIPT_CITIES)[number];

/** Options of {@link generateReceipts}. */
export type GenerateReceiptsOptions = {
  /** Any 32-bit integer; equal seeds give identical output. */
  seed: number;
  /** Number of data subjects (`act_sub-0001`, ...). */
  subjects: number;
  /** Receipts generated for every subject. */
  receiptsPerSubject: number;
  /** Purchases fall in the {@link RECEIPT_WINDOW_DAYS} days before this instant. */
  referenceDate: Date | string | number;
  /** The Vaults to spread the receipts over (at least one). */
  vaultIds: readonly string[];
};

/** The records generated for one Vault, in purchase order. */
export type VaultReceipts = { vaultId: string; records: RecordInput[] };

const DAY_MS = 86_400_000;

const CITY_WEIGHTS: Record<ReceiptCity, number> = {
  Singapore: 25,
  'Kuala Lumpur': 20,
  Jakarta: 20,
  Bangkok: 20,
  Manila: 15,
};
const CITY_UTC_OFFSET_HOURS: Record<ReceiptCity, number> = {
  Singapore: 8,
  'Kuala Lumpur': 8,
  Jakarta: 7,
  Bangkok: 7,
  Manila: 8,
};
const NEIGHBOURHOODS: Record<ReceiptCity, readonly string[]> = {
  Singapore: ['Tanjong Pagar', 'Orchard', 'Tiong Bahru', 'Jurong East', 'Tampines', 'Bugis'],
  'Kuala Lumpur': ['Bangsar', 'Bukit Bintang', 'Mont Kiara', 'KLCC', 'Petaling Jaya'],
  Jakarta: ['Kemang', 'Senayan', 'Menteng', 'Kelapa Gading', 'Sudirman'],
  Bangkok: ['Sukhumvit', 'Silom', 'Ari', 'Thonglor', 'Siam'],
  Manila: ['Makati', 'BGC', 'Ortigas', 'Quezon City', 'Pasig'],
};
const MERCHANTS: Record<ReceiptCategory, readonly string[]> = {
  coffee: ['Kopi Corner', 'Bean & Leaf', 'Morning Ritual Coffee', 'Daily Grind', 'Roastery Lane', 'Flat White Co'],
  grocery: ['FreshMart', 'Green Basket', 'Harvest Grocer', 'Daily Fresh', 'Market Square', 'Urban Pantry'],
  dining: ['Noodle House', 'Spice Route', 'Hawker Hall', 'Rice Bowl Kitchen', 'Satay Street', 'Lotus Dining'],
  fitness: ['Pulse Gym', 'Iron Temple', 'Flow Yoga Studio', 'Peak Climbing', 'Ride Cycle Club'],
  transport: ['MetroRide', 'GoCab', 'CityLink Rail', 'Swift Taxi', 'Fuel Point'],
  electronics: ['Circuit City', 'Gadget Hub', 'Volt Electronics', 'Pixel Store'],
  apparel: ['Threads', 'Urban Wear', 'Batik House', 'Stride Shoes', 'Denim Lab'],
  pharmacy: ['CarePlus Pharmacy', 'Wellness Chemist', 'MediCorner', 'HealthFirst'],
};
/** How often an average subject buys in each category (relative receipt frequency). */
const CATEGORY_FREQUENCY: Record<ReceiptCategory, number> = {
  coffee: 3,
  grocery: 2,
  dining: 2,
  fitness: 0.6,
  transport: 2.5,
  electronics: 0.25,
  apparel: 0.6,
  pharmacy: 0.6,
};
/**
 * Amount model per category, in cents: `min + (max - min) * u^skew` (skew > 1 favours small
 * baskets), rounded to `step` cents, minus `ending` cents (prices like 49.90).
 */
const AMOUNTS: Record<ReceiptCategory, { min: number; max: number; skew: number; step: number; ending: number }> = {
  coffee: { min: 320, max: 980, skew: 1, step: 10, ending: 0 },
  grocery: { min: 800, max: 22_000, skew: 2, step: 1, ending: 0 },
  dining: { min: 950, max: 12_000, skew: 2, step: 1, ending: 0 },
  fitness: { min: 1_200, max: 16_000, skew: 2, step: 100, ending: 0 },
  transport: { min: 210, max: 4_800, skew: 3, step: 10, ending: 0 },
  electronics: { min: 2_000, max: 189_900, skew: 3, step: 100, ending: 10 },
  apparel: { min: 1_600, max: 32_000, skew: 2, step: 100, ending: 10 },
  pharmacy: { min: 450, max: 8_500, skew: 2, step: 1, ending: 0 },
};
/** Local opening windows `[fromHour, toHour)`; a purchase picks one window, then a minute inside it. */
const HOURS: Record<ReceiptCategory, readonly (readonly [number, number])[]> = {
  coffee: [
    [7, 11],
    [14, 17],
  ],
  grocery: [[9, 21]],
  dining: [
    [11, 14],
    [18, 22],
  ],
  fitness: [
    [6, 9],
    [17, 21],
  ],
  transport: [[7, 23]],
  electronics: [[11, 21]],
  apparel: [[11, 21]],
  pharmacy: [[9, 21]],
};

type Subject = {
  id: string;
  homeCity: ReceiptCity;
  spendLevel: number;
  categoryWeights: number[];
  favourites: Map<ReceiptCategory, string[]>;
  vaults: string[];
  vaultWeights: number[];
};

type Receipt = { vaultId: string; at: number; record: RecordInput };

/**
 * Generates receipts for `subjects` data subjects, `receiptsPerSubject` each, spread over
 * `vaultIds`. Returns one entry per Vault in the order of `vaultIds`, each with its records sorted
 * by purchase time. Record fields are the canonical attributes of `commerce.receipt@1.0.0`:
 * `merchant`, `category`, `city`, `total_amount` (2-decimal string) and `purchased_at` (ISO 8601 UTC).
 */
export function generateReceipts(options: GenerateReceiptsOptions): VaultReceipts[] {
  const { seed, subjects, receiptsPerSubject, vaultIds } = options;
  if (!Number.isInteger(seed)) throw new RangeError('seed must be an integer');
  if (!Number.isInteger(subjects) || subjects < 1 || subjects > 99_999)
    throw new RangeError('subjects must be an integer in 1..99999');
  if (!Number.isInteger(receiptsPerSubject) || receiptsPerSubject < 0)
    throw new RangeError('receiptsPerSubject must be a non-negative integer');
  if (vaultIds.length === 0) throw new RangeError('vaultIds must name at least one Vault');
  if (new Set(vaultIds).size !== vaultIds.length) throw new RangeError('vaultIds must be unique');
  const reference = new Date(options.referenceDate).getTime();
  if (!Number.isFinite(reference)) throw new RangeError('referenceDate is not a valid date');

  const receipts: Receipt[] = [];
  for (let i = 0; i < subjects; i++) {
    const prng = createPrng(mixSeed(seed, i));
    const subject = makeSubject(prng, i + 1, vaultIds);
    for (let r = 0; r < receiptsPerSubject; r++) receipts.push(makeReceipt(prng, subject, reference));
  }
  receipts.sort((a, b) => a.at - b.at || compare(a.record.subject, b.record.subject));
  const byVault = new Map<string, RecordInput[]>(vaultIds.map((id) => [id, []]));
  for (const receipt of receipts) byVault.get(receipt.vaultId)?.push(receipt.record);
  return vaultIds.map((vaultId) => ({ vaultId, records: byVault.get(vaultId) ?? [] }));
}

function makeSubject(prng: Prng, number: number, vaultIds: readonly string[]): Subject {
  const homeCity = prng.weighted(RECEIPT_CITIES, Object.values(CITY_WEIGHTS));
  const passion = prng.int(0, RECEIPT_CATEGORIES.length - 1);
  const categoryWeights = RECEIPT_CATEGORIES.map(
    (category, index) => CATEGORY_FREQUENCY[category] * (0.3 + 1.4 * prng.next()) * (index === passion ? 3 : 1),
  );
  const favourites = new Map<ReceiptCategory, string[]>();
  for (const category of RECEIPT_CATEGORIES) {
    favourites.set(category, [merchantIn(prng, category, homeCity), merchantIn(prng, category, homeCity)]);
  }
  const vaults = [prng.pick(vaultIds)];
  const extra = prng.chance(0.35) ? (prng.chance(0.3) ? 2 : 1) : 0;
  for (let k = 0; k < extra && vaults.length < vaultIds.length; k++) {
    const others = vaultIds.filter((id) => !vaults.includes(id));
    vaults.push(prng.pick(others));
  }
  return {
    id: `act_sub-${String(number).padStart(4, '0')}`,
    homeCity,
    spendLevel: 0.8 + 0.5 * prng.next(),
    categoryWeights,
    favourites,
    vaults,
    vaultWeights: vaults.map((_, index) => (index === 0 ? 7 : 3)),
  };
}

function makeReceipt(prng: Prng, subject: Subject, reference: number): Receipt {
  const category = prng.weighted(RECEIPT_CATEGORIES, subject.categoryWeights);
  const travelling = prng.chance(0.08);
  const city = travelling ? prng.pick(RECEIPT_CITIES.filter((c) => c !== subject.homeCity)) : subject.homeCity;
  const merchant =
    !travelling && prng.chance(0.75)
      ? prng.pick(subject.favourites.get(category) ?? [])
      : merchantIn(prng, category, city);
  const at = purchaseTime(prng, category, city, reference);
  return {
    vaultId: prng.weighted(subject.vaults, subject.vaultWeights),
    at,
    record: {
      subject: subject.id,
      fields: {
        merchant,
        category,
        city,
        total_amount: amount(prng, category, subject.spendLevel),
        purchased_at: new Date(at).toISOString().replace('.000Z', 'Z'),
      },
    },
  };
}

function merchantIn(prng: Prng, category: ReceiptCategory, city: ReceiptCity): string {
  return `${prng.pick(MERCHANTS[category])} ${prng.pick(NEIGHBOURHOODS[city])}`;
}

/** A 2-decimal string such as "12.50", from integer cents (no float formatting). */
function amount(prng: Prng, category: ReceiptCategory, spendLevel: number): string {
  const model = AMOUNTS[category];
  const u = prng.next();
  let shaped = u;
  for (let k = 1; k < model.skew; k++) shaped *= u;
  const raw = (model.min + (model.max - model.min) * shaped) * (category === 'transport' ? 1 : spendLevel);
  const stepped = Math.max(model.step, Math.round(raw / model.step) * model.step);
  const cents = Math.max(model.min, Math.min(model.max, stepped - model.ending));
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** A purchase instant inside (reference - window, reference], at a plausible local hour. */
function purchaseTime(prng: Prng, category: ReceiptCategory, city: ReceiptCity, reference: number): number {
  const midnight = Math.floor(reference / DAY_MS) * DAY_MS;
  const daysBack = prng.int(1, RECEIPT_WINDOW_DAYS - 1);
  const [from, to] = prng.pick(HOURS[category]);
  const localSeconds = prng.int(from * 3600, to * 3600 - 1);
  let at = midnight - daysBack * DAY_MS + localSeconds * 1000 - CITY_UTC_OFFSET_HOURS[city] * 3_600_000;
  const windowStart = reference - RECEIPT_WINDOW_DAYS * DAY_MS;
  if (at <= windowStart) at += DAY_MS;
  return Math.min(at, reference);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
