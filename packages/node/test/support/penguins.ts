/**
 * Palmer penguins from the `vega-datasets` npm package (shipped as JSON, read from disk): a
 * `bio.penguin@1.0.0` semantic domain, the records as Vault rows (one subject per penguin), a
 * deterministic train/test split, and IID and label-skewed partitions over Vaults.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { RecordInput } from '@symphony/api';
import { type SemanticDomain, sha256Hex } from '@symphony/protocol';

const require = createRequire(import.meta.url);

type RawPenguin = {
  Species: string;
  Island: string;
  'Beak Length (mm)': number | null;
  'Beak Depth (mm)': number | null;
  'Flipper Length (mm)': number | null;
  'Body Mass (g)': number | null;
  Sex: string | null;
};

export const PENGUIN_DOMAIN: SemanticDomain = {
  schema_version: 1,
  domain: 'bio.penguin',
  semantic_version: '1.0.0',
  attributes: [
    { name: 'species', type: 'category', sensitivity: 'public', aggregations: ['count', 'group_by', 'filter'] },
    { name: 'island', type: 'category', sensitivity: 'public', aggregations: ['count', 'group_by', 'filter'] },
    { name: 'beak_length_mm', type: 'decimal', sensitivity: 'personal', aggregations: ['sum', 'mean', 'filter'] },
    { name: 'beak_depth_mm', type: 'decimal', sensitivity: 'personal', aggregations: ['sum', 'mean', 'filter'] },
    { name: 'flipper_length_mm', type: 'decimal', sensitivity: 'personal', aggregations: ['sum', 'mean', 'filter'] },
    { name: 'body_mass_g', type: 'decimal', sensitivity: 'personal', aggregations: ['sum', 'mean', 'filter'] },
    { name: 'sex', type: 'category', sensitivity: 'personal', aggregations: ['count', 'group_by', 'filter'] },
  ],
};

export const PENGUIN_FEATURES = ['beak_depth_mm', 'beak_length_mm', 'body_mass_g', 'flipper_length_mm'];

/** The penguins with every measurement and a sex, as records (subject `act_penguin-<i>`). */
export function penguinRecords(): RecordInput[] {
  // The package exports only its loader; its data folder ships beside it in the package.
  const root = dirname(dirname(require.resolve('vega-datasets')));
  const raw = JSON.parse(readFileSync(join(root, 'data', 'penguins.json'), 'utf8')) as RawPenguin[];
  const out: RecordInput[] = [];
  raw.forEach((p, i) => {
    const m = [p['Beak Length (mm)'], p['Beak Depth (mm)'], p['Flipper Length (mm)'], p['Body Mass (g)']];
    if (m.some((x) => x === null) || (p.Sex !== 'MALE' && p.Sex !== 'FEMALE')) return;
    out.push({
      subject: `act_penguin-${i}`,
      fields: {
        species: p.Species,
        island: p.Island,
        beak_length_mm: String(m[0]),
        beak_depth_mm: String(m[1]),
        flipper_length_mm: String(m[2]),
        body_mass_g: String(m[3]),
        sex: p.Sex,
      },
    });
  });
  return out;
}

const rank = (salt: string, subject: string) => sha256Hex(new TextEncoder().encode(`${salt}/${subject}`));

/** A fixed test set (about a quarter of the penguins) and the rest for training. */
export function trainTestSplit(records: RecordInput[]): { train: RecordInput[]; test: RecordInput[] } {
  const ordered = [...records].sort((a, b) => (rank('test', a.subject) < rank('test', b.subject) ? -1 : 1));
  const cut = Math.round(ordered.length / 4);
  return { test: ordered.slice(0, cut), train: ordered.slice(cut) };
}

/**
 * Partitions training records over Vaults. `iid`: shuffled, cut in the given proportions.
 * `label_skewed`: the first Vault gets mostly males, the second mostly females, the smallest a
 * small mixed remainder (share of the majority label per skewed Vault about 85%).
 */
export function partition(
  records: RecordInput[],
  vaults: string[],
  kind: 'iid' | 'label_skewed',
  sizes: number[],
): Map<string, RecordInput[]> {
  const shuffled = [...records].sort((a, b) => (rank('part', a.subject) < rank('part', b.subject) ? -1 : 1));
  const out = new Map(vaults.map((v) => [v, [] as RecordInput[]]));
  const total = sizes.reduce((a, b) => a + b, 0);
  const counts = sizes.map((s) => Math.floor((s / total) * shuffled.length));
  counts[0]! += shuffled.length - counts.reduce((a, b) => a + b, 0);
  if (kind === 'iid') {
    let at = 0;
    vaults.forEach((v, i) => {
      out.get(v)!.push(...shuffled.slice(at, at + counts[i]!));
      at += counts[i]!;
    });
    return out;
  }
  const male = shuffled.filter((r) => r.fields.sex === 'MALE');
  const female = shuffled.filter((r) => r.fields.sex === 'FEMALE');
  const take = (pool: RecordInput[], n: number) => pool.splice(0, Math.min(n, pool.length));
  // The smallest Vault (last) is heavily skewed: almost only one label.
  const last = vaults.length - 1;
  out
    .get(vaults[last]!)!
    .push(
      ...take(female, Math.round(counts[last]! * 0.9)),
      ...take(male, counts[last]! - Math.round(counts[last]! * 0.9)),
    );
  out
    .get(vaults[0]!)!
    .push(...take(male, Math.round(counts[0]! * 0.85)), ...take(female, counts[0]! - Math.round(counts[0]! * 0.85)));
  for (let i = 1; i < last; i++) {
    out
      .get(vaults[i]!)!
      .push(...take(female, Math.round(counts[i]! * 0.85)), ...take(male, counts[i]! - Math.round(counts[i]! * 0.85)));
  }
  // Whatever is left goes to the first Vault.
  out.get(vaults[0]!)!.push(...male, ...female);
  return out;
}
