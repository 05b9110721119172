/**
 * The `model_training` budget of one subject: DP Train tasks charge the declared spend of all
 * their rounds here, in the same ledger as Query (a subject is one pseudonym across classes, each
 * scope has its own budget). Training spends are larger per task than a query's (an RDP bound over
 * many rounds), hence a budget of its own: epsilon 10 per subject per 30-day window (720 epochs).
 */
export const TRAINING_BUDGET = { scope: 'model_training', budget_micro: 10_000_000, window_epochs: 24 * 30 } as const;
