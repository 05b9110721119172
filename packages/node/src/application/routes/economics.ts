/** Staking (`/v1/stakes`) and payout (`/v1/payouts`) routes. */
import {
  PayoutBatchParams,
  PayoutBatchView,
  PayoutClaimParams,
  PayoutClaimProofView,
  PayoutExecutionRequest,
  PayoutList,
  PayoutQuery,
  StakeRequest,
  StakeView,
  StakeWithdrawRequest,
} from '@symphony/api';
import { ActorId } from '@symphony/protocol';
import Type from 'typebox';
import type { EconomicsApi } from '../economics-api.ts';
import { errorResponses } from '../error-responses.ts';
import { ApiFailure, type MasterApi } from '../master-api.ts';
import { callerOf } from '../request-auth.ts';
import { described } from '../response-schemas.ts';
import type { ApiApp } from './api-app.ts';
import { NoQuery } from './shared-schemas.ts';

const ActorParams = Type.Object({ actorId: ActorId }, { additionalProperties: false });

/** Registers the staking and payout routes. */
export function registerEconomicsRoutes(app: ApiApp, api: MasterApi): void {
  const economics = (): EconomicsApi => {
    if (!api.economics) throw new ApiFailure('unavailable', 'this edge serves no staking or payouts');
    return api.economics;
  };
  const stakeTags = ['stakes'];
  const payoutTags = ['payouts'];

  app.get(
    '/v1/stakes/:actorId',
    {
      schema: {
        operationId: 'getStake',
        summary: "An actor's balance, stake, unbonding amounts and role minimums",
        tags: stakeTags,
        params: ActorParams,
        querystring: NoQuery,
        response: { 200: described(StakeView, 'The actor stake.'), ...errorResponses('not_found') },
      },
    },
    async (request) => economics().stake(request.params.actorId),
  );

  app.post(
    '/v1/stakes/deposit',
    {
      schema: {
        operationId: 'depositStake',
        summary: 'Bond spendable balance as stake',
        tags: stakeTags,
        querystring: NoQuery,
        body: StakeRequest,
        response: {
          200: described(StakeView, 'The stake after the deposit.'),
          ...errorResponses('stake_refused', 'forbidden'),
        },
      },
    },
    async (request) => economics().deposit(request.body, callerOf(request)),
  );

  app.post(
    '/v1/stakes/unbond',
    {
      schema: {
        operationId: 'unbondStake',
        summary: 'Start withdrawing stake (released after the unbonding period)',
        tags: stakeTags,
        querystring: NoQuery,
        body: StakeRequest,
        response: {
          200: described(StakeView, 'The stake after the request.'),
          ...errorResponses('stake_refused', 'forbidden'),
        },
      },
    },
    async (request) => economics().requestUnbonding(request.body, callerOf(request)),
  );

  app.post(
    '/v1/stakes/withdraw',
    {
      schema: {
        operationId: 'withdrawStake',
        summary: 'Release unbonded stake whose period has passed to the balance',
        tags: stakeTags,
        querystring: NoQuery,
        body: StakeWithdrawRequest,
        response: {
          200: described(StakeView, 'The stake after the withdrawal.'),
          ...errorResponses('stake_refused', 'forbidden'),
        },
      },
    },
    async (request) => economics().withdraw(request.body, callerOf(request)),
  );

  app.get(
    '/v1/payouts',
    {
      schema: {
        operationId: 'listPayouts',
        summary: 'Payout intents and their batches',
        description: 'Filter by epoch and/or account; `total` sums the intents listed.',
        tags: payoutTags,
        querystring: PayoutQuery,
        response: { 200: described(PayoutList, 'The matching payout intents.'), ...errorResponses() },
      },
    },
    async (request) => economics().payouts(request.query),
  );

  app.get(
    '/v1/payouts/batches/:batchId',
    {
      schema: {
        operationId: 'getPayoutBatch',
        summary: 'A payout batch and its claims',
        tags: payoutTags,
        params: PayoutBatchParams,
        querystring: NoQuery,
        response: { 200: described(PayoutBatchView, 'The batch and its claims.'), ...errorResponses('not_found') },
      },
    },
    async (request) => economics().batch(request.params.batchId),
  );

  app.get(
    '/v1/payouts/batches/:batchId/claims/:actorId',
    {
      schema: {
        operationId: 'getPayoutClaim',
        summary: "An account's claim in a batch, with its inclusion proof",
        tags: payoutTags,
        params: PayoutClaimParams,
        querystring: NoQuery,
        response: {
          200: described(PayoutClaimProofView, 'The claim and its proof (verifyPayoutClaim).'),
          ...errorResponses('not_found'),
        },
      },
    },
    async (request) => economics().claim(request.params.batchId, request.params.actorId),
  );

  app.post(
    '/v1/payouts/batches/:batchId/executed',
    {
      schema: {
        operationId: 'executePayoutBatch',
        summary: 'The treasury marks a batch executed (signed execution)',
        tags: payoutTags,
        params: PayoutBatchParams,
        querystring: NoQuery,
        body: PayoutExecutionRequest,
        response: {
          200: described(PayoutBatchView, 'The batch, now executed.'),
          ...errorResponses('payout_refused'),
        },
      },
    },
    async (request) => economics().executeBatch(request.params.batchId, request.body),
  );
}
