/** Record ingestion: the edge validates the batch and routes it to the Vault's enterprise node. */
import { IngestRecordsRequest, IngestRecordsResponse } from '@symphony/api';
import { VaultId } from '@symphony/protocol';
import Type from 'typebox';
import { errorResponses } from '../error-responses.ts';
import type { MasterApi } from '../master-api.ts';
import { described } from '../response-schemas.ts';
import type { ApiApp } from './api-app.ts';
import { NoQuery } from './shared-schemas.ts';

const VaultIdParams = Type.Object({ vaultId: VaultId }, { additionalProperties: false });

/** Registers `POST /v1/vaults/:vaultId/records`. */
export function registerRecordRoutes(app: ApiApp, api: MasterApi): void {
  app.post(
    '/v1/vaults/:vaultId/records',
    {
      schema: {
        operationId: 'ingestRecords',
        summary: 'Ingest records into a Vault',
        description: 'Records are stored encrypted in the Vault; the master never keeps their contents.',
        tags: ['records'],
        params: VaultIdParams,
        querystring: NoQuery,
        body: IngestRecordsRequest,
        response: {
          201: described(IngestRecordsResponse, 'The records were stored in the Vault.'),
          ...errorResponses('body_too_large', 'unknown_vault', 'invalid_records'),
        },
      },
    },
    async (request, reply) => {
      const result = await api.ingest(request.params.vaultId, request.body);
      return reply.code(201).send(result);
    },
  );
}
