import { parseAmount, toAmount } from '../../encoding/amount.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/** Credits a registered actor's balance or bonds stake for it. */
export const fundAccount: Step<'account_funded'> = {
  check(state, e) {
    if (!state.actors[e.actor_id]) return refuse('unknown_actor', `actor ${e.actor_id} is not registered`);
    return undefined;
  },
  run(state, e) {
    state.accounts[e.actor_id] ??= { balance: '0', stake: '0' };
    const account = state.accounts[e.actor_id]!;
    account[e.account] = toAmount(parseAmount(account[e.account]) + parseAmount(e.amount));
  },
};
