/**
 * Staking and payouts at the API edge: requests become log events (the reducer decides), reads come
 * from the folded state. Payout reads never change a reward record.
 */
import type {
  PayoutBatchView,
  PayoutClaimProofView,
  PayoutExecutionRequest,
  PayoutList,
  PayoutQuery,
  StakeRequest,
  StakeView,
  StakeWithdrawRequest,
} from '@symphony/api';
import {
  batchClaims,
  DEFAULT_UNBONDING_PERIOD_MS,
  escrowedBy,
  type ProtocolEvent,
  type ProtocolState,
  parseAmount,
  payoutClaimProofOf,
  policyInForce,
  toAmount,
} from '@symphony/protocol';
import type { LogWriter } from '../coordination/log-writer.ts';
import type { StateFollower } from '../coordination/state-follower.ts';
import type { Caller } from './caller.ts';
import type { EconomicsApi } from './economics-api.ts';
import { ApiFailure } from './master-api.ts';

const STAKED_ROLES = ['executor', 'verifier', 'master'] as const;

export function stakeView(state: ProtocolState, actorId: string): StakeView {
  const account = state.accounts[actorId] ?? { balance: '0', stake: '0' };
  const escrowed = escrowedBy(state, actorId);
  const spendable = parseAmount(account.balance) - escrowed;
  const policy = policyInForce(state, state.current_epoch);
  const stake = parseAmount(account.stake);
  return {
    actor_id: actorId,
    balance: account.balance,
    escrowed: toAmount(escrowed),
    spendable: toAmount(spendable > 0n ? spendable : 0n),
    stake: account.stake,
    unbonding: (account.unbonding ?? []).map((u) => ({ ...u })),
    roles: policy
      ? STAKED_ROLES.map((role) => ({
          role,
          min_stake: policy.min_stake[role],
          compliant: stake >= parseAmount(policy.min_stake[role]),
        }))
      : [],
    unbonding_period_ms: policy?.economics?.unbonding_period_ms ?? DEFAULT_UNBONDING_PERIOD_MS,
  };
}

export class EconomicsService implements EconomicsApi {
  readonly #follower: StateFollower;
  readonly #writer: LogWriter;

  constructor(opts: { follower: StateFollower; writer: LogWriter }) {
    this.#follower = opts.follower;
    this.#writer = opts.writer;
  }

  get #state(): ProtocolState {
    return this.#follower.state;
  }

  stake(actorId: string): StakeView {
    if (!this.#state.actors[actorId] && !this.#state.accounts[actorId]) {
      throw new ApiFailure('not_found', `No actor ${actorId}.`);
    }
    return stakeView(this.#state, actorId);
  }

  async #append(event: ProtocolEvent, code: 'stake_refused' | 'payout_refused'): Promise<void> {
    const result = await this.#writer.append(event);
    if (result.kind === 'refused') {
      throw new ApiFailure(code, result.refusal.message, { reason: result.refusal.code });
    }
  }

  #own(actorId: string, caller: Caller | undefined): void {
    if (caller && caller.actor_id !== actorId) {
      throw new ApiFailure('forbidden', `${caller.actor_id} may not move the stake of ${actorId}.`, {
        reason: 'not_owner',
        field: '/actor_id',
      });
    }
  }

  async deposit(request: StakeRequest, caller?: Caller): Promise<StakeView> {
    this.#own(request.actor_id, caller);
    await this.#append(
      { type: 'stake_deposited', actor_id: request.actor_id, amount: request.amount },
      'stake_refused',
    );
    return stakeView(this.#state, request.actor_id);
  }

  async requestUnbonding(request: StakeRequest, caller?: Caller): Promise<StakeView> {
    this.#own(request.actor_id, caller);
    await this.#append(
      { type: 'stake_unbonding_requested', actor_id: request.actor_id, amount: request.amount },
      'stake_refused',
    );
    return stakeView(this.#state, request.actor_id);
  }

  async withdraw(request: StakeWithdrawRequest, caller?: Caller): Promise<StakeView> {
    this.#own(request.actor_id, caller);
    await this.#append({ type: 'stake_withdrawn', actor_id: request.actor_id }, 'stake_refused');
    return stakeView(this.#state, request.actor_id);
  }

  payouts(query: PayoutQuery): PayoutList {
    const s = this.#state;
    const intents = Object.values(s.payouts)
      .filter(
        (i) =>
          (query.epochId === undefined || i.epoch_id === query.epochId) && (!query.actor || i.account === query.actor),
      )
      .sort((a, b) => a.epoch_id - b.epoch_id || (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
    const batchIds = [...new Set(intents.map((i) => i.batch_id).filter((b): b is string => b !== undefined))];
    const batches = batchIds
      .map((id) => s.payout_batches![id]!)
      .sort((a, b) => a.epoch_id - b.epoch_id || a.index - b.index);
    const total = intents.reduce((sum, i) => sum + parseAmount(i.amount), 0n);
    return { intents, batches, total: toAmount(total) };
  }

  batch(batchId: string): PayoutBatchView {
    const batch = this.#state.payout_batches?.[batchId];
    if (!batch) throw new ApiFailure('not_found', `No payout batch ${batchId}.`);
    return { batch, claims: batchClaims(this.#state, batchId) };
  }

  claim(batchId: string, actorId: string): PayoutClaimProofView {
    const { claims } = this.batch(batchId);
    const proof = payoutClaimProofOf(claims, actorId);
    if (!proof) throw new ApiFailure('not_found', `${actorId} has no claim in ${batchId}.`);
    return proof;
  }

  async executeBatch(batchId: string, execution: PayoutExecutionRequest): Promise<PayoutBatchView> {
    if (execution.batch_id !== batchId) {
      throw new ApiFailure('invalid_request', `The execution names ${execution.batch_id}, the path ${batchId}.`, {
        in: 'body',
        field: '/batch_id',
        reason: 'must equal the path batchId',
      });
    }
    await this.#append({ type: 'payout_batch_executed', execution }, 'payout_refused');
    return this.batch(batchId);
  }
}
