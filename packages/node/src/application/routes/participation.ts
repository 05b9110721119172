/** Participant queries: `POST /v1/tasks/:taskId/participation` (a subject accepts through its Vault). */
import { AcceptParticipationRequest, ParticipationView } from '@symphony/api';
import { TaskId } from '@symphony/protocol';
import Type from 'typebox';
import { errorResponses } from '../error-responses.ts';
import { ApiFailure, type MasterApi } from '../master-api.ts';
import { described } from '../response-schemas.ts';
import type { ApiApp } from './api-app.ts';
import { NoQuery } from './shared-schemas.ts';

/** Registers the participation route. */
export function registerParticipationRoutes(app: ApiApp, api: MasterApi): void {
  app.post(
    '/v1/tasks/:taskId/participation',
    {
      schema: {
        operationId: 'acceptParticipation',
        summary: 'Accept a participant query on behalf of a data subject',
        description:
          "The Vault's node signs the acceptance and it is appended as `query_participation_accepted`. A query " +
          'whose spec requires participation reads only accepted subjects, and its receipt credits them.',
        tags: ['tasks'],
        params: Type.Object({ taskId: TaskId }, { additionalProperties: false }),
        querystring: NoQuery,
        body: AcceptParticipationRequest,
        response: {
          201: described(ParticipationView, 'The acceptance, recorded.'),
          ...errorResponses('not_found', 'unknown_vault', 'participation_refused', 'unavailable'),
        },
      },
    },
    async (request, reply) => {
      if (!api.participation) throw new ApiFailure('unavailable', 'this edge does not record participation');
      return reply.code(201).send(await api.participation.accept(request.params.taskId, request.body));
    },
  );
}
