import { parseAmount, toAmount } from '../../encoding/amount.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/** Releases every unbonding amount whose period has passed by log time to the spendable balance. */
export const withdrawStake: Step<'stake_withdrawn'> = {
  check(state, e, at) {
    const unbonding = state.accounts[e.actor_id]?.unbonding ?? [];
    if (!unbonding.some((u) => u.release_at_ms <= at.time_ms)) {
      const next = unbonding.reduce((m, u) => Math.min(m, u.release_at_ms), Number.POSITIVE_INFINITY);
      return refuse(
        'nothing_to_withdraw',
        Number.isFinite(next) ? `unbonding stake is released at ${next}` : `${e.actor_id} has no unbonding stake`,
      );
    }
    return undefined;
  },
  run(state, e, at) {
    const account = state.accounts[e.actor_id]!;
    const due = account.unbonding!.filter((u) => u.release_at_ms <= at.time_ms);
    account.unbonding = account.unbonding!.filter((u) => u.release_at_ms > at.time_ms);
    const released = due.reduce((s, u) => s + parseAmount(u.amount), 0n);
    account.balance = toAmount(parseAmount(account.balance) + released);
  },
};
