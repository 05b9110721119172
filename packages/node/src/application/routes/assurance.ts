/** Assurance routes: the protocol log with checkpoints, an epoch's recorded accounting and its anchor. */
import { AccountingView, AnchorView, LogPage, LogQuery } from '@symphony/api';
import { EpochId } from '@symphony/protocol';
import Type from 'typebox';
import { errorResponses } from '../error-responses.ts';
import { ApiFailure, type MasterApi } from '../master-api.ts';
import { described } from '../response-schemas.ts';
import type { ApiApp } from './api-app.ts';
import { NoQuery } from './shared-schemas.ts';

const EpochIdParams = Type.Object({ epochId: EpochId }, { additionalProperties: false });
const tags = ['assurance'];

function assuranceOf(api: MasterApi) {
  if (!api.assurance) throw new ApiFailure('unavailable', 'This node serves no assurance routes.');
  return api.assurance;
}

/** Registers `GET /v1/log`, `GET /v1/epochs/:epochId/accounting` and `GET /v1/epochs/:epochId/anchor`. */
export function registerAssuranceRoutes(app: ApiApp, api: MasterApi): void {
  app.get(
    '/v1/log',
    {
      schema: {
        operationId: 'readLog',
        summary: 'Read the protocol log',
        description:
          'Entries from `from` on, exactly as stored (hash-chained), with the checkpoints the node recorded at them; `head` is the folded head once the page reaches it.',
        tags,
        querystring: LogQuery,
        response: { 200: described(LogPage, 'A page of the log.'), ...errorResponses('unavailable') },
      },
    },
    async (request) => assuranceOf(api).logPage(request.query.from ?? 0, request.query.limit ?? 1000),
  );

  app.get(
    '/v1/epochs/:epochId/accounting',
    {
      schema: {
        operationId: 'getEpochAccounting',
        summary: "An epoch's recorded finalized accounting",
        tags,
        params: EpochIdParams,
        querystring: NoQuery,
        response: {
          200: described(AccountingView, 'Settlement entries, reward records and payout intents as recorded.'),
          ...errorResponses('not_found', 'unavailable'),
        },
      },
    },
    async (request) => assuranceOf(api).accounting(request.params.epochId),
  );

  app.get(
    '/v1/epochs/:epochId/anchor',
    {
      schema: {
        operationId: 'getEpochAnchor',
        summary: "An epoch's anchor",
        tags,
        params: EpochIdParams,
        querystring: NoQuery,
        response: {
          200: described(AnchorView, 'What the anchor holds for the epoch and whether it matches the certificate.'),
          ...errorResponses('not_found', 'unavailable'),
        },
      },
    },
    async (request) => assuranceOf(api).anchor(request.params.epochId),
  );
}
