/**
 * Spend features, a Compute program for the SCS sandbox (same shape as coffee-eligibility.js).
 * Derives recency, frequency and monetary features per subject, scores each subject, and returns
 * only the distribution of scores and the feature means: an aggregate, never per-subject values.
 */
const DAY_MS = 86_400_000;

export default function run(rows, ctx) {
  const bySubject = new Map();
  for (const row of rows) {
    const f = row.fields;
    const at = Date.parse(f.purchased_at);
    const amount = Number(f.total_amount);
    const s = bySubject.get(row.subject) ?? { n: 0, sum: 0, sq: 0, last: 0, categories: new Set() };
    s.n += 1;
    s.sum += amount;
    s.sq += amount * amount;
    if (at > s.last) s.last = at;
    s.categories.add(f.category);
    bySubject.set(row.subject, s);
  }
  const scoreBins = new Array(10).fill(0);
  let recency = 0;
  let frequency = 0;
  let monetary = 0;
  let spread = 0;
  for (const s of bySubject.values()) {
    const mean = s.sum / s.n;
    const sd = Math.sqrt(Math.max(0, s.sq / s.n - mean * mean));
    const days = Math.max(0, (ctx.now_ms - s.last) / DAY_MS);
    const score = 1 / (1 + Math.exp(-(0.08 * s.n + 0.05 * mean - 0.1 * days + 0.2 * s.categories.size - 2)));
    scoreBins[Math.min(9, Math.floor(score * 10))] += 1;
    recency += days;
    frequency += s.n;
    monetary += mean;
    spread += sd;
  }
  const k = bySubject.size || 1;
  // Decimals leave as strings: outputs are hashed canonically, which admits integers only.
  const round = (x) => x.toFixed(3);
  return {
    subjects: bySubject.size,
    mean_recency_days: round(recency / k),
    mean_frequency: round(frequency / k),
    mean_spend: round(monetary / k),
    mean_spend_sd: round(spread / k),
    score_deciles: scoreBins,
  };
}
