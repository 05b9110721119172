/**
 * The per-subject privacy budget ledger: how much privacy loss (in micro-epsilon, integers) has
 * been charged to each subject pseudonym, per usage scope and epoch window. A release is charged
 * atomically: either every charge fits under the limit and all are applied, or the release is
 * refused whole and nothing is charged. Budgets refresh at the window boundary (a new window key
 * starts empty). Pure: the input ledger is never mutated; plain JSON in and out.
 *
 * Used by the `query` class (scope of the task's consent) and by `train` (scope `model_training`).
 */

/** Spent micro-epsilon per scope, window and pseudonym. */
export type BudgetLedger = Record<string, Record<string, Record<string, number>>>;

/** The epoch window a charge falls in: windows of `length_epochs` epochs starting at epoch 1. */
export type BudgetWindow = { start_epoch: number; length_epochs: number };

export type BudgetCharge = { pseudonym: string; amount: number };

export type ChargeRequest = {
  scope: string;
  window: BudgetWindow;
  /** The most micro-epsilon one subject may spend in one window of this scope. */
  limit: number;
  charges: readonly BudgetCharge[];
};

export type ChargeOutcome =
  | { ok: true; ledger: BudgetLedger; charged: number }
  | { ok: false; code: 'privacy_budget_exhausted' | 'invalid_charge'; over: number };

/** The window holding `epoch` for windows of `length_epochs` epochs (epochs count from 1). */
export function windowOf(epoch: number, length_epochs: number): BudgetWindow {
  const length = Math.max(1, Math.floor(length_epochs));
  return { start_epoch: Math.floor((Math.max(1, epoch) - 1) / length) * length + 1, length_epochs: length };
}

const windowKey = (w: BudgetWindow) => `${w.start_epoch}+${w.length_epochs}`;

/** What a pseudonym has spent in a scope and window. */
export function spent(ledger: BudgetLedger, scope: string, window: BudgetWindow, pseudonym: string): number {
  return ledger[scope]?.[windowKey(window)]?.[pseudonym] ?? 0;
}

/**
 * Charges every pseudonym its amount, or nothing: refused when any one would pass the limit.
 * A pseudonym listed twice is charged the sum. Amounts are positive safe integers.
 */
export function charge(ledger: BudgetLedger, req: ChargeRequest): ChargeOutcome {
  const totals = new Map<string, number>();
  for (const c of req.charges) {
    if (!Number.isSafeInteger(c.amount) || c.amount <= 0 || typeof c.pseudonym !== 'string' || c.pseudonym === '')
      return { ok: false, code: 'invalid_charge', over: 0 };
    totals.set(c.pseudonym, (totals.get(c.pseudonym) ?? 0) + c.amount);
  }
  const key = windowKey(req.window);
  const current = ledger[req.scope]?.[key] ?? {};
  let over = 0;
  for (const [p, amount] of totals) if ((current[p] ?? 0) + amount > req.limit) over++;
  if (over > 0) return { ok: false, code: 'privacy_budget_exhausted', over };
  const next: Record<string, number> = { ...current };
  for (const [p, amount] of totals) next[p] = (next[p] ?? 0) + amount;
  // Older windows of the scope are dropped: they can never be charged again.
  const scopeWindows: Record<string, Record<string, number>> = { [key]: next };
  return { ok: true, ledger: { ...ledger, [req.scope]: scopeWindows }, charged: totals.size };
}
