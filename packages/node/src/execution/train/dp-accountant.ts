/**
 * The privacy accountant of DP training: Rényi DP of the Gaussian mechanism composed over rounds,
 * converted to (epsilon, delta). Each round releases the average of clipped per-Vault updates plus
 * Gaussian noise of standard deviation sigma x clip / n; one data subject changes at most its
 * Vault's update, so the average moves by at most clip / n (sensitivity), and the round is
 * (alpha, alpha / (2 sigma^2))-RDP for every alpha > 1. T rounds compose to T alpha / (2 sigma^2);
 * epsilon = min over alpha of T alpha / (2 sigma^2) + ln(1 / delta) / (alpha - 1).
 *
 * Every subject whose records trained in a round is charged the whole spend of the task (the
 * bound is per subject and does not shrink with the subject's number of records): see
 * `trainingPrivacySpend` for what the budget ledger (scope `model_training`) charges.
 */

/** Orders over which the RDP bound is minimized (the usual grid). */
const ALPHAS = [
  1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 12, 14, 16, 20, 24, 28, 32, 48, 64, 96, 128, 256,
  512,
];

/** (epsilon, delta) after `rounds` Gaussian releases with noise multiplier `sigma`. */
export function gaussianRdpEpsilon(sigma: number, rounds: number, delta: number): { epsilon: number; alpha: number } {
  if (!(sigma > 0) || !(delta > 0 && delta < 1) || rounds < 1)
    throw new RangeError('sigma > 0, 0 < delta < 1, rounds >= 1');
  let best = { epsilon: Number.POSITIVE_INFINITY, alpha: ALPHAS[0]! };
  for (const alpha of ALPHAS) {
    const epsilon = (rounds * alpha) / (2 * sigma * sigma) + Math.log(1 / delta) / (alpha - 1);
    if (epsilon < best.epsilon) best = { epsilon, alpha };
  }
  return best;
}

/** What a DP Train task spends per subject, as the budget ledger takes it. */
export type TrainingPrivacySpend = {
  scope: 'model_training';
  mechanism: 'gaussian_rdp';
  /** Decimal strings, rounded up to 6 fraction digits (never under-charges). */
  epsilon: string;
  delta: string;
  rounds: number;
  noise_multiplier: string;
  /** The subjects charged: every subject whose records trained (distinct, sorted). */
  subjects: string[];
};

/** Rounds a positive number up to 6 fraction digits as a decimal string. */
function ceilDecimal(x: number): string {
  const scaled = Math.ceil(x * 1_000_000 - 1e-9);
  const whole = Math.floor(scaled / 1_000_000);
  const frac = String(scaled % 1_000_000)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}

/**
 * The per-subject spend of a DP Train task that completed `rounds` rounds with `subjects`
 * contributing: each subject is charged (epsilon, delta) of the composed Gaussian mechanism.
 */
export function trainingPrivacySpend(
  dp: { noise_multiplier: string; delta: string },
  rounds: number,
  subjects: Iterable<string>,
): TrainingPrivacySpend {
  const { epsilon } = gaussianRdpEpsilon(Number(dp.noise_multiplier), rounds, Number(dp.delta));
  return {
    scope: 'model_training',
    mechanism: 'gaussian_rdp',
    epsilon: ceilDecimal(epsilon),
    delta: dp.delta,
    rounds,
    noise_multiplier: dp.noise_multiplier,
    subjects: [...new Set(subjects)].sort(),
  };
}

/**
 * What a Train spec will spend per subject if all its declared rounds run: the amount to charge
 * each consenting subject's `model_training` budget at admission (an upper bound: aborted or
 * shortened runs are not refunded). Undefined for a spec without DP (nothing to charge).
 */
export function declaredTrainingSpend(spec: {
  dp?: { noise_multiplier: string; delta: string } | undefined;
  hyperparameters: { rounds: number };
}): { scope: 'model_training'; epsilon: string; delta: string } | undefined {
  if (!spec.dp) return undefined;
  const s = trainingPrivacySpend(spec.dp, spec.hyperparameters.rounds, []);
  return { scope: s.scope, epsilon: s.epsilon, delta: s.delta };
}

/** A decimal string (at most 6 fraction digits, as `ceilDecimal` writes) as integer micro-units. */
export function epsilonMicro(decimal: string): number {
  const m = /^(\d+)(?:\.(\d{1,6}))?$/.exec(decimal);
  if (!m) throw new RangeError(`not a decimal with at most 6 fraction digits: ${decimal}`);
  return Number(m[1]) * 1_000_000 + Number((m[2] ?? '').padEnd(6, '0'));
}

/** The `train_privacy_charged` payload of a DP task: the declared spend, per subject pseudonym. */
export type TrainingPrivacyCharge = {
  scope: 'model_training';
  epsilon_micro: number;
  delta: string;
  /** Distinct, sorted pseudonyms. */
  charged: string[];
};

/** The charge of a DP Train spec over `pseudonyms` (the declared upper bound of all its rounds). */
export function trainingPrivacyCharge(
  spec: Parameters<typeof declaredTrainingSpend>[0],
  pseudonyms: Iterable<string>,
): TrainingPrivacyCharge {
  const declared = declaredTrainingSpend(spec);
  if (!declared) throw new RangeError('a Train spec without DP charges nothing');
  return {
    scope: declared.scope,
    epsilon_micro: epsilonMicro(declared.epsilon),
    delta: declared.delta,
    charged: [...new Set(pseudonyms)].sort(),
  };
}
