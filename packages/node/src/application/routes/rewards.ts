/** Reward ledger queries. */
import { RewardList, RewardQuery } from '@symphony/api';
import { errorResponses } from '../error-responses.ts';
import type { MasterApi } from '../master-api.ts';
import { described } from '../response-schemas.ts';
import type { ApiApp } from './api-app.ts';

/** Registers `GET /v1/rewards`. */
export function registerRewardRoutes(app: ApiApp, api: MasterApi): void {
  app.get(
    '/v1/rewards',
    {
      schema: {
        operationId: 'listRewards',
        summary: 'List reward records',
        description: 'Filter by epoch and/or account; `total` sums the finalized amounts listed.',
        tags: ['rewards'],
        querystring: RewardQuery,
        response: { 200: described(RewardList, 'The matching reward records.'), ...errorResponses() },
      },
    },
    async (request) => api.rewards(request.query),
  );
}
