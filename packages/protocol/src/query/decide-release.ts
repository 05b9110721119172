/**
 * The release decision of a query, as the reducer takes it at the release's log position: the
 * differencing check against the submitter group's recent releases, then the atomic budget charge
 * of every subject read. Either both pass and the ledger and history move, or the release is
 * refused whole and nothing changes. Pure; shared by the reducer step and the attack tests.
 */

import { charge, windowOf } from '../privacy/budget-ledger.ts';
import type { PrivacyState } from '../reducer/state.ts';
import { checkDifferencing } from './differencing-check.ts';
import type { QueryPolicy } from './query-policy.ts';

export type ReleaseRequest = {
  task_id: string;
  submitter_group: string;
  scope: string;
  /** The log epoch of the release: budget windows and the differencing window count from it. */
  epoch_id: number;
  charged: readonly string[];
  released_sets: readonly string[][];
};

export type ReleaseDecision =
  | { outcome: 'granted'; privacy: PrivacyState; epsilon_micro: number }
  | { outcome: 'refused'; code: 'differencing_suspected' | 'privacy_budget_exhausted' | 'invalid_charge' };

export const emptyPrivacy = (): PrivacyState => ({ ledger: {}, releases: [] });

export function decideRelease(privacy: PrivacyState, policy: QueryPolicy, req: ReleaseRequest): ReleaseDecision {
  const recent = privacy.releases.filter((r) => req.epoch_id - r.epoch_id < policy.differencing_window_epochs);
  if (policy.differencing_check) {
    const d = checkDifferencing(
      recent,
      { submitter_group: req.submitter_group, epoch_id: req.epoch_id, sets: req.released_sets },
      policy.k_min,
      policy.differencing_window_epochs,
    );
    if (!d.ok) return { outcome: 'refused', code: d.code };
  }
  let ledger = privacy.ledger;
  if (policy.epsilon_micro > 0 && req.charged.length > 0) {
    const c = charge(ledger, {
      scope: req.scope,
      window: windowOf(req.epoch_id, policy.window_epochs),
      limit: policy.budget_micro,
      charges: req.charged.map((pseudonym) => ({ pseudonym, amount: policy.epsilon_micro })),
    });
    if (!c.ok) return { outcome: 'refused', code: c.code };
    ledger = c.ledger;
  }
  const releases = policy.differencing_check
    ? [
        ...recent,
        {
          task_id: req.task_id,
          submitter_group: req.submitter_group,
          epoch_id: req.epoch_id,
          sets: req.released_sets.map((s) => [...s]),
        },
      ]
    : recent;
  return { outcome: 'granted', privacy: { ledger, releases }, epsilon_micro: policy.epsilon_micro };
}
