/** Epoch routes: list epochs, close the current one, read an epoch's settlement. */
import { CloseEpochResponse, EpochList, SettlementProof, SettlementProofParams, SettlementView } from '@symphony/api';
import { EpochId } from '@symphony/protocol';
import Type from 'typebox';
import { errorResponses } from '../error-responses.ts';
import { ApiFailure, type MasterApi } from '../master-api.ts';
import { described } from '../response-schemas.ts';
import { pointer } from '../validation-issue.ts';
import type { ApiApp } from './api-app.ts';
import { NoQuery } from './shared-schemas.ts';

const EpochIdParams = Type.Object({ epochId: EpochId }, { additionalProperties: false });

const tags = ['epochs'];

/** Registers the `/v1/epochs` routes. */
export function registerEpochRoutes(app: ApiApp, api: MasterApi): void {
  app.get(
    '/v1/epochs',
    {
      schema: {
        operationId: 'listEpochs',
        summary: 'List epochs',
        tags,
        querystring: NoQuery,
        response: { 200: described(EpochList, 'Every epoch and the current one.'), ...errorResponses() },
      },
    },
    async () => api.listEpochs(),
  );

  app.post(
    '/v1/epochs/current/close',
    {
      schema: {
        operationId: 'closeCurrentEpoch',
        summary: 'Close the current epoch',
        description: 'Starts settlement of the current epoch and opens the next one. Takes no body.',
        tags,
        querystring: NoQuery,
        response: {
          200: described(CloseEpochResponse, 'The epoch was closed; its settlement started.'),
          ...errorResponses('body_too_large', 'epoch_refused'),
        },
      },
      preValidation: async (request) => rejectBody(request.body),
    },
    async () => api.closeEpoch(),
  );

  app.get(
    '/v1/epochs/:epochId/settlement',
    {
      schema: {
        operationId: 'getSettlement',
        summary: "An epoch's settlement",
        tags,
        params: EpochIdParams,
        querystring: NoQuery,
        response: {
          200: described(SettlementView, 'The settlement of the epoch, with signatures and entries.'),
          ...errorResponses('not_found'),
        },
      },
    },
    async (request) => {
      const settlement = api.settlement(request.params.epochId);
      if (settlement === undefined) throw new ApiFailure('not_found', `No epoch ${request.params.epochId}.`);
      return settlement;
    },
  );

  app.post(
    '/v1/epochs/:epochId/settlement/retry',
    {
      schema: {
        operationId: 'retrySettlement',
        summary: 'Retry a failed settlement (governance)',
        description:
          'Appends `settlement_retried`: a `failed` settlement goes back to `verifying_inputs` and its candidate is rebuilt as the next attempt for the masters to sign. Any other state is refused (409) and nothing changes. Takes no body.',
        tags,
        params: EpochIdParams,
        querystring: NoQuery,
        response: {
          200: described(SettlementView, 'The settlement after the retry (the new attempt).'),
          ...errorResponses('body_too_large', 'not_found', 'settlement_refused'),
        },
      },
      preValidation: async (request) => rejectBody(request.body),
    },
    async (request) => {
      if (!api.retrySettlement) throw new ApiFailure('unavailable', 'this edge does not retry settlements');
      return api.retrySettlement(request.params.epochId);
    },
  );

  app.get(
    '/v1/epochs/:epochId/settlement/proofs/:entryId',
    {
      schema: {
        operationId: 'getSettlementProof',
        summary: "A settlement entry's inclusion proof",
        description:
          "The RFC 6962 inclusion proof of a task's entry in the epoch's settlement root, with the quorum certificate once the epoch is finalized. Verify offline with verifySettlementProof.",
        tags,
        params: SettlementProofParams,
        querystring: NoQuery,
        response: {
          200: described(SettlementProof, 'The entry, its audit path and the root it leads to.'),
          ...errorResponses('not_found'),
        },
      },
    },
    async (request) => api.settlementProof(request.params.epochId, request.params.entryId),
  );
}

/** A route without a body schema accepts no body but an empty JSON object. */
function rejectBody(body: unknown): void {
  if (body === undefined) return;
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const [key] = Object.keys(body);
    if (key === undefined) return;
    const field = pointer([key]);
    throw new ApiFailure('unknown_field', `Unknown field ${field} in the body; this route takes no body.`, {
      in: 'body',
      field,
      reason: 'is not defined',
    });
  }
  throw new ApiFailure('invalid_request', 'This route takes no body.', {
    in: 'body',
    field: '',
    reason: 'must be absent',
  });
}
