/**
 * Seeded receipt generator for Parse tests and benchmarks: ground truth (merchant, date, time,
 * currency, items, total) drawn from a seed, rendered as PNG/JPEG images (three layouts, three
 * DejaVu fonts, slight rotation, blur, speckle, grey paper) or as PDFs with a text layer. The same
 * seed gives the same receipts and the same bytes.
 */
import { createRequire } from 'node:module';
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { prng } from './prng.ts';

const require = createRequire(import.meta.url);

const FONTS = {
  'DejaVu Sans Mono': 'dejavu-fonts-ttf/ttf/DejaVuSansMono.ttf',
  'DejaVu Sans': 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf',
  'DejaVu Serif': 'dejavu-fonts-ttf/ttf/DejaVuSerif.ttf',
} as const;
type FontName = keyof typeof FONTS;
let fontsRegistered = false;

export type Layout = 'classic' | 'itemized' | 'us';
export type TruthItem = { description: string; quantity: number; unit_cents: number; amount_cents: number };
export type ReceiptTruth = {
  merchant: string;
  date: string;
  time: string;
  currency: string;
  total: string;
  items: TruthItem[];
  layout: Layout;
  font: FontName;
};

const MERCHANTS: readonly (readonly [string, readonly string[]])[] = [
  ['CORNER GROCERY', ['Milk 2L', 'Wholemeal Bread', 'Eggs 12pk', 'Bananas', 'Cheddar', 'Rice 5kg']],
  ['FRESHMART', ['Apples', 'Yoghurt', 'Orange Juice', 'Pasta', 'Tomatoes']],
  ['GREEN VALLEY MARKET', ['Spinach', 'Carrots', 'Honey', 'Olive Oil']],
  ['KOPI CORNER', ['Kopi O', 'Kaya Toast', 'Soft Boiled Eggs', 'Teh Tarik']],
  ['BEAN THERE CAFE', ['Latte', 'Flat White', 'Croissant', 'Espresso', 'Muffin']],
  ['DAILY GRIND', ['Cappuccino', 'Cold Brew', 'Bagel', 'Mocha']],
  ['THE NOODLE HOUSE', ['Beef Noodle Soup', 'Dumplings', 'Fried Rice', 'Iced Tea']],
  ['HARBOUR BISTRO', ['Fish and Chips', 'Caesar Salad', 'Soda', 'Cheesecake']],
  ['SUNRISE PHARMACY', ['Paracetamol', 'Vitamin C', 'Plasters', 'Hand Cream']],
  ['CITY CHEMIST', ['Cough Syrup', 'Sunscreen', 'Toothpaste']],
  ['PETROLINK', ['Unleaded 95', 'Car Wash', 'Snack Bar']],
  ['VOLT ELECTRONICS', ['USB Cable', 'Phone Charger', 'Earbuds']],
  ['PAGE TURNER BOOKS', ['Paperback Novel', 'Notebook', 'Bookmark']],
  ['MOONLIGHT BAKERY', ['Sourdough', 'Cinnamon Roll', 'Baguette']],
];
const CURRENCIES = ['SGD', 'EUR', 'GBP', 'USD'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const LAYOUTS: readonly Layout[] = ['classic', 'itemized', 'us'];
const pad2 = (n: number) => String(n).padStart(2, '0');
const money = (cents: number) => `${Math.floor(cents / 100)}.${pad2(cents % 100)}`;

/** The ground truth of receipt number `index` of a seed. */
export function receiptTruth(seed: number, index: number): ReceiptTruth {
  const rnd = prng(seed * 7919 + index * 104729 + 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const [merchant, pool] = pick(MERCHANTS);
  const layout = LAYOUTS[index % LAYOUTS.length]!;
  const currency = layout === 'us' ? 'USD' : pick(CURRENCIES.slice(0, 3));
  const font = (Object.keys(FONTS) as FontName[])[Math.floor(index / LAYOUTS.length) % 3]!;
  const count = 2 + Math.floor(rnd() * 4);
  const items: TruthItem[] = [];
  for (let i = 0; i < count; i++) {
    const quantity = rnd() < 0.3 ? 2 + Math.floor(rnd() * 3) : 1;
    const unit_cents = 99 + Math.floor(rnd() * 2400);
    items.push({ description: pick(pool), quantity, unit_cents, amount_cents: quantity * unit_cents });
  }
  const subtotal = items.reduce((a, i) => a + i.amount_cents, 0);
  const tax = Math.round(subtotal * 0.09);
  const month = 1 + Math.floor(rnd() * 12);
  const day = 1 + Math.floor(rnd() * 28);
  const year = 2023 + Math.floor(rnd() * 4);
  return {
    merchant,
    date: `${year}-${pad2(month)}-${pad2(day)}`,
    time: `${pad2(7 + Math.floor(rnd() * 14))}:${pad2(Math.floor(rnd() * 60))}`,
    currency,
    total: money(subtotal + tax),
    items,
    layout,
    font,
  };
}

type Line = { left: string; right?: string; center?: boolean };

/** The printed lines of a receipt in its layout. */
export function receiptLines(t: ReceiptTruth): Line[] {
  const [y, m, d] = t.date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = t.time.split(':').map(Number) as [number, number];
  const cents = (s: string) => Math.round(Number.parseFloat(s) * 100);
  const total = cents(t.total);
  const subtotal = t.items.reduce((a, i) => a + i.amount_cents, 0);
  const tax = total - subtotal;
  const paid = Math.ceil(total / 1000) * 1000 + 1000;
  switch (t.layout) {
    case 'classic':
      return [
        { left: t.merchant, center: true },
        { left: '12 Harbour Road', center: true },
        { left: `Date: ${pad2(d)}/${pad2(m)}/${y}  Time: ${t.time}` },
        ...t.items.map((i) => ({
          left: i.quantity > 1 ? `${i.description} x${i.quantity}` : i.description,
          right: money(i.amount_cents),
        })),
        { left: 'SUBTOTAL', right: money(subtotal) },
        { left: 'GST 9%', right: money(tax) },
        { left: `TOTAL ${t.currency}`, right: money(total) },
        { left: 'CASH', right: money(paid) },
        { left: 'CHANGE', right: money(paid - total) },
        { left: 'THANK YOU', center: true },
      ];
    case 'itemized': {
      const name = t.merchant
        .toLowerCase()
        .replace(/\b[a-z]/g, (c) => c.toUpperCase())
        .replace(/\bAnd\b/, 'and');
      return [
        { left: name },
        { left: `Receipt #${1000 + (total % 9000)}` },
        { left: `${pad2(d)} ${MONTHS[m - 1]} ${y} ${t.time}` },
        ...t.items.map((i) => ({
          left: i.quantity > 1 ? `${i.description} ${i.quantity} @ ${money(i.unit_cents)}` : i.description,
          right: money(i.amount_cents),
        })),
        { left: 'Sub Total', right: money(subtotal) },
        { left: 'VAT', right: money(tax) },
        { left: 'GRAND TOTAL', right: `${t.currency} ${money(total)}` },
        { left: 'VISA **** 4821', right: money(total) },
      ];
    }
    case 'us': {
      const h12 = hh % 12 === 0 ? 12 : hh % 12;
      return [
        { left: t.merchant, center: true },
        { left: 'Tel 555-0142', center: true },
        { left: `${MONTHS[m - 1]} ${d}, ${y}  ${h12}:${pad2(mm)} ${hh < 12 ? 'AM' : 'PM'}` },
        ...t.items.map((i) => ({
          left: i.quantity > 1 ? `${i.quantity} x ${i.description}` : i.description,
          right: `$${money(i.amount_cents)}`,
        })),
        { left: 'Subtotal', right: `$${money(subtotal)}` },
        { left: 'Sales Tax', right: `$${money(tax)}` },
        { left: 'Amount Due', right: `$${money(total)}` },
      ];
    }
  }
}

export type RenderedReceipt = { truth: ReceiptTruth; media_type: string; bytes: Uint8Array };

/** Renders receipt `index` of a seed as an image with noise: PNG, every third one JPEG. */
export function renderReceiptImage(seed: number, index: number): RenderedReceipt {
  if (!fontsRegistered) {
    for (const [name, file] of Object.entries(FONTS)) GlobalFonts.registerFromPath(require.resolve(file), name);
    fontsRegistered = true;
  }
  const truth = receiptTruth(seed, index);
  const rnd = prng(seed * 31 + index * 977 + 7);
  const lines = receiptLines(truth);
  const size = 19 + Math.floor(rnd() * 4);
  const lineHeight = Math.round(size * 1.55);
  const width = 560;
  const height = 60 + lines.length * lineHeight;
  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  const paper = 232 + Math.floor(rnd() * 24);
  g.fillStyle = `rgb(${paper},${paper},${paper - 4})`;
  g.fillRect(0, 0, width, height);
  g.save();
  g.translate(width / 2, height / 2);
  g.rotate(((rnd() * 3 - 1.5) * Math.PI) / 180);
  g.translate(-width / 2, -height / 2);
  const blur = rnd() < 0.5 ? 0.6 : 0;
  if (blur > 0) g.filter = `blur(${blur}px)`;
  const ink = Math.floor(rnd() * 50);
  g.fillStyle = `rgb(${ink},${ink},${ink})`;
  g.font = `${size}px "${truth.font}"`;
  g.textBaseline = 'alphabetic';
  for (const [i, line] of lines.entries()) {
    const y = 40 + i * lineHeight;
    if (line.center) {
      g.textAlign = 'center';
      g.fillText(line.left, width / 2, y);
    } else {
      g.textAlign = 'left';
      g.fillText(line.left, 28, y);
    }
    if (line.right) {
      g.textAlign = 'right';
      g.fillText(line.right, width - 28, y);
    }
  }
  g.restore();
  const specks = 150 + Math.floor(rnd() * 250);
  for (let i = 0; i < specks; i++) {
    const s = 40 + Math.floor(rnd() * 120);
    g.fillStyle = `rgb(${s},${s},${s})`;
    g.fillRect(Math.floor(rnd() * width), Math.floor(rnd() * height), 1 + Math.floor(rnd() * 2), 1);
  }
  const jpeg = index % 3 === 2;
  const bytes = jpeg ? canvas.toBuffer('image/jpeg', 82) : canvas.toBuffer('image/png');
  return { truth, media_type: jpeg ? 'image/jpeg' : 'image/png', bytes: new Uint8Array(bytes) };
}

/** Renders receipt `index` of a seed as a one-page PDF with a text layer (Courier or Helvetica). */
export async function renderReceiptPdf(seed: number, index: number): Promise<RenderedReceipt> {
  const truth = receiptTruth(seed, index);
  const lines = receiptLines(truth).map((l) => ({ ...l, right: l.right?.replace('$', 'USD ') }));
  const doc = await PDFDocument.create();
  doc.setCreationDate(new Date(0));
  doc.setModificationDate(new Date(0));
  doc.setProducer('scs-receipt-generator');
  doc.setCreator('scs-receipt-generator');
  const font = await doc.embedFont(index % 2 === 0 ? StandardFonts.Courier : StandardFonts.Helvetica);
  const size = 10;
  const width = 300;
  const height = 50 + lines.length * 15;
  const page = doc.addPage([width, height]);
  for (const [i, line] of lines.entries()) {
    const y = height - 30 - i * 15;
    const x = line.center ? (width - font.widthOfTextAtSize(line.left, size)) / 2 : 20;
    page.drawText(line.left, { x, y, size, font });
    if (line.right)
      page.drawText(line.right, { x: width - 20 - font.widthOfTextAtSize(line.right, size), y, size, font });
  }
  return { truth, media_type: 'application/pdf', bytes: await doc.save({ useObjectStreams: false }) };
}
