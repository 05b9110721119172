/**
 * Program approval as a protocol event: the Vault's operator approves or revokes a sandbox program
 * (by code hash) for its Vault; the hosting node signs `program_approved` / `program_revoked` and
 * appends it. Approvals in the node's configuration still count; an unknown code hash is refused.
 */
import { ProgramDecisionRequest, ProgramDecisionView } from '@symphony/api';
import { VaultId } from '@symphony/protocol';
import Type from 'typebox';
import { errorResponses } from '../error-responses.ts';
import { ApiFailure, type MasterApi } from '../master-api.ts';
import { callerOf } from '../request-auth.ts';
import { described } from '../response-schemas.ts';
import type { ApiApp } from './api-app.ts';
import { NoQuery } from './shared-schemas.ts';

const VaultIdParams = Type.Object({ vaultId: VaultId }, { additionalProperties: false });

/** Registers `POST /v1/vaults/{vaultId}/programs`. */
export function registerProgramRoutes(app: ApiApp, api: MasterApi): void {
  app.post(
    '/v1/vaults/:vaultId/programs',
    {
      schema: {
        operationId: 'decideProgram',
        summary: 'Approve or revoke a sandbox program for a Vault',
        description:
          "Only the Vault's registered operator. The hosting node signs and appends `program_approved` or " +
          '`program_revoked`; tasks admitted afterwards run the program there only while it is approved.',
        tags: ['records'],
        params: VaultIdParams,
        querystring: NoQuery,
        body: ProgramDecisionRequest,
        response: {
          201: described(ProgramDecisionView, 'The decision, logged.'),
          ...errorResponses('body_too_large', 'unknown_vault', 'program_refused'),
        },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      if (!caller)
        throw new ApiFailure('unauthenticated', 'program decisions need a signed request', { reason: 'unsigned' });
      const vaults = api.vaults;
      if (!vaults?.decideProgram) throw new ApiFailure('unavailable', 'this edge serves no Vault operations');
      const operator = api.directory?.().vaultOperator(request.params.vaultId);
      if (operator === undefined)
        throw new ApiFailure('unknown_vault', `vault ${request.params.vaultId} is not registered on this network`);
      if (operator !== caller.actor_id)
        throw new ApiFailure('forbidden', `${caller.actor_id} does not operate ${request.params.vaultId}`, {
          reason: 'not_vault_operator',
        });
      const view = await vaults.decideProgram(request.params.vaultId, request.body.action, request.body.code_hash);
      return reply.code(201).send(view);
    },
  );
}
