import { escrowedBy } from '../../admission/authorize-task.ts';
import { parseAmount, toAmount } from '../../encoding/amount.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/** Bonds part of an actor's spendable balance (balance minus what its open tasks hold in escrow) as stake. */
export const depositStake: Step<'stake_deposited'> = {
  check(state, e) {
    if (!state.actors[e.actor_id]) return refuse('unknown_actor', `actor ${e.actor_id} is not registered`);
    const amount = parseAmount(e.amount);
    if (amount === 0n) return refuse('zero_amount', 'a deposit must be positive');
    const balance = parseAmount(state.accounts[e.actor_id]?.balance ?? '0');
    const spendable = balance - escrowedBy(state, e.actor_id);
    if (amount > spendable)
      return refuse('insufficient_balance', `spendable balance is ${spendable < 0n ? 0n : spendable}`);
    return undefined;
  },
  run(state, e) {
    const account = state.accounts[e.actor_id]!;
    account.balance = toAmount(parseAmount(account.balance) - parseAmount(e.amount));
    account.stake = toAmount(parseAmount(account.stake) + parseAmount(e.amount));
  },
};
