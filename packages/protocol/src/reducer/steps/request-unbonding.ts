import { parseAmount, toAmount } from '../../encoding/amount.ts';
import { DEFAULT_UNBONDING_PERIOD_MS } from '../../objects/parameter-set.ts';
import { policyInForce } from '../../params/resolve-parameters.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/**
 * Starts withdrawing stake: the amount stops counting as stake at once (so it cannot back work or be
 * counted toward a role minimum) and is released after the unbonding period of the policy in force.
 */
export const requestUnbonding: Step<'stake_unbonding_requested'> = {
  check(state, e) {
    if (!state.actors[e.actor_id]) return refuse('unknown_actor', `actor ${e.actor_id} is not registered`);
    const amount = parseAmount(e.amount);
    if (amount === 0n) return refuse('zero_amount', 'an unbonding request must be positive');
    const stake = parseAmount(state.accounts[e.actor_id]?.stake ?? '0');
    if (amount > stake) return refuse('insufficient_stake', `bonded stake is ${stake}`);
    return undefined;
  },
  run(state, e, at) {
    const account = state.accounts[e.actor_id]!;
    const period =
      policyInForce(state, state.current_epoch)?.economics?.unbonding_period_ms ?? DEFAULT_UNBONDING_PERIOD_MS;
    account.stake = toAmount(parseAmount(account.stake) - parseAmount(e.amount));
    account.unbonding ??= [];
    account.unbonding.push({ amount: e.amount, requested_seq: at.seq, release_at_ms: at.time_ms + period });
  },
};
