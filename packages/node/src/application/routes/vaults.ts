/**
 * Vault routes: streaming uploads (CSV, NDJSON, binary documents) routed to the enterprise node
 * hosting the Vault, the Vault's figures and commitments, and snapshot publication.
 */

import { UploadResponse, VaultCommitmentsView, VaultList, VaultSnapshotView, VaultView } from '@symphony/api';
import { ActorId, RecordId, VaultId } from '@symphony/protocol';
import Type from 'typebox';
import { errorResponses } from '../error-responses.ts';
import { ApiFailure, type MasterApi, type VaultOperations } from '../master-api.ts';
import { verifiedStream } from '../request-auth.ts';
import { described } from '../response-schemas.ts';
import type { ApiApp } from './api-app.ts';
import { NoQuery } from './shared-schemas.ts';

const tags = ['records'];
const VaultIdParams = Type.Object({ vaultId: VaultId }, { additionalProperties: false });
const RECORD_TYPES = ['text/csv', 'application/x-ndjson'];
const DOCUMENT_TYPES = ['image/png', 'image/jpeg', 'application/pdf', 'application/octet-stream'];

/** Registers the Vault routes and the streaming content types they read. */
export function registerVaultRoutes(app: ApiApp, api: MasterApi): void {
  const ops = (): VaultOperations => {
    if (!api.vaults) throw new ApiFailure('unavailable', 'this edge serves no Vault operations');
    return api.vaults;
  };
  app.addContentTypeParser([...RECORD_TYPES, ...DOCUMENT_TYPES], (_request, payload, done) => done(null, payload));

  app.post(
    '/v1/vaults/:vaultId/uploads',
    {
      schema: {
        operationId: 'uploadRecords',
        summary: 'Stream a CSV or NDJSON file of records into a Vault',
        description:
          'The body is read as it arrives (text/csv with a header row naming subject, optional record_id and ' +
          'attribute columns; or application/x-ndjson, one record per line) and forwarded in batches to the ' +
          'enterprise node hosting the Vault. All records become visible at once when the upload commits, or none.',
        tags,
        params: VaultIdParams,
        querystring: NoQuery,
        response: {
          201: described(UploadResponse, 'The upload committed.'),
          ...errorResponses(
            'body_too_large',
            'unknown_vault',
            'invalid_records',
            'invalid_upload',
            'unsupported_media_type',
            'quota_exceeded',
          ),
        },
      },
    },
    async (request, reply) => {
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (!RECORD_TYPES.includes(type))
        throw new ApiFailure('unsupported_media_type', 'send text/csv or application/x-ndjson', {
          field: 'content-type',
        });
      const result = await ops().uploadRecords(
        request.params.vaultId,
        type === 'text/csv' ? 'csv' : 'ndjson',
        verifiedStream(request),
      );
      return reply.code(201).send(result);
    },
  );

  app.post(
    '/v1/vaults/:vaultId/documents',
    {
      schema: {
        operationId: 'uploadDocument',
        summary: 'Stream a binary document (PNG, JPEG or PDF receipt) into a Vault',
        description: 'Stored sealed, chunk by chunk, on the enterprise node hosting the Vault, for a later Parse task.',
        tags,
        params: VaultIdParams,
        querystring: Type.Object(
          { subject: ActorId, record_id: Type.Optional(RecordId) },
          { additionalProperties: false },
        ),
        response: {
          201: described(UploadResponse, 'The document is stored.'),
          ...errorResponses('body_too_large', 'unknown_vault', 'unsupported_media_type', 'quota_exceeded'),
        },
      },
    },
    async (request, reply) => {
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (!DOCUMENT_TYPES.includes(type))
        throw new ApiFailure('unsupported_media_type', 'send a PNG, JPEG or PDF document', { field: 'content-type' });
      const result = await ops().uploadDocument(
        request.params.vaultId,
        request.query.subject,
        request.query.record_id,
        verifiedStream(request),
      );
      return reply.code(201).send(result);
    },
  );

  app.get(
    '/v1/vaults',
    {
      schema: {
        operationId: 'listVaults',
        summary: 'Every Vault with its record count, size and last snapshot root',
        tags,
        querystring: NoQuery,
        response: { 200: described(VaultList, 'The Vaults.'), ...errorResponses() },
      },
    },
    async () => ({ vaults: await ops().list() }),
  );

  app.get(
    '/v1/vaults/:vaultId',
    {
      schema: {
        operationId: 'getVault',
        summary: 'A Vault: record count, size, key version and last snapshot root',
        tags,
        params: VaultIdParams,
        querystring: NoQuery,
        response: { 200: described(VaultView, 'The Vault.'), ...errorResponses('unknown_vault') },
      },
    },
    async (request) => ops().show(request.params.vaultId),
  );

  app.get(
    '/v1/vaults/:vaultId/commitments',
    {
      schema: {
        operationId: 'getVaultCommitments',
        summary: "A Vault's salted record commitments and their Merkle root",
        tags,
        params: VaultIdParams,
        querystring: NoQuery,
        response: { 200: described(VaultCommitmentsView, 'The commitments.'), ...errorResponses('unknown_vault') },
      },
    },
    async (request) => ops().commitments(request.params.vaultId),
  );

  app.post(
    '/v1/vaults/:vaultId/snapshots',
    {
      schema: {
        operationId: 'publishVaultSnapshot',
        summary: "Publish the Vault's snapshot root for the open epoch in the protocol log",
        tags,
        params: VaultIdParams,
        querystring: NoQuery,
        response: {
          201: described(VaultSnapshotView, 'The snapshot root is in the log.'),
          ...errorResponses('unknown_vault', 'epoch_refused'),
        },
      },
    },
    async (request, reply) => reply.code(201).send(await ops().publishSnapshot(request.params.vaultId)),
  );
}
