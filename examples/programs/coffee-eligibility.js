/**
 * Coffee loyalty eligibility, a Compute program for the SCS sandbox.
 *
 * Shape: an ES module whose default export is `run(rows, ctx)`. `rows` are the task's authorized
 * rows after its filter, each `{ subject, fields }` with the task's resolved attributes only;
 * `ctx` is the replay context `{ task_id, epoch_id, semantic_version, policy_version, seed,
 * now_ms, k_min }`. The return value must be JSON and an aggregate: no subject identifiers, no
 * raw rows, and numbers must be integers (decimals as strings). `Date` is fixed to `ctx.now_ms` and `Math.random` is seeded from `ctx.seed`.
 *
 * A subject is eligible with at least 3 coffee purchases totalling 20.00 or more in the 30 days
 * before the task's admission.
 */
const DAY_MS = 86_400_000;

export default function run(rows, ctx) {
  const windowStart = ctx.now_ms - 30 * DAY_MS;
  const perSubject = new Map();
  for (const row of rows) {
    const f = row.fields;
    if (f.category !== 'coffee') continue;
    const at = Date.parse(f.purchased_at);
    if (!(at >= windowStart && at <= ctx.now_ms)) continue;
    const cents = Math.round(Number(f.total_amount) * 100);
    const s = perSubject.get(row.subject) ?? { visits: 0, cents: 0 };
    s.visits += 1;
    s.cents += cents;
    perSubject.set(row.subject, s);
  }
  let eligible = 0;
  let eligibleCents = 0;
  const bands = [0, 0, 0, 0];
  for (const s of perSubject.values()) {
    if (s.visits >= 3 && s.cents >= 2000) {
      eligible += 1;
      eligibleCents += s.cents;
    }
    bands[s.cents < 1000 ? 0 : s.cents < 2500 ? 1 : s.cents < 5000 ? 2 : 3] += 1;
  }
  return {
    active_subjects: perSubject.size,
    eligible_subjects: eligible,
    eligible_mean_spend: eligible ? (eligibleCents / eligible / 100).toFixed(2) : '0.00',
    spend_bands: { under_10: bands[0], under_25: bands[1], under_50: bands[2], from_50: bands[3] },
    // A seeded draw: the band that gets this task's bonus, reproducible from the replay seed.
    bonus_band: Math.floor(Math.random() * bands.length),
    as_of: new Date(ctx.now_ms).toISOString(),
  };
}
