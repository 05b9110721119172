/**
 * Identity routes: register an actor, issue, revoke and list a Vault's grants, revoke a delegation
 * credential. Each needs an authenticated caller (the edge signs nothing on anyone's behalf).
 */
import {
  ActorView,
  DelegationRevocationView,
  GrantList,
  GrantQuery,
  GrantView,
  IssueGrantRequest,
  RegisterActorRequest,
  RevokeDelegationRequest,
} from '@symphony/api';
import { GrantId, VaultId } from '@symphony/protocol';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { IdentityApi } from '../admission-api.ts';
import { errorResponses } from '../error-responses.ts';
import { ApiFailure, type MasterApi } from '../master-api.ts';
import { callerOf } from '../request-auth.ts';
import { described } from '../response-schemas.ts';
import type { ApiApp } from './api-app.ts';
import { NoQuery } from './shared-schemas.ts';

const tags = ['identity'];
const VaultIdParams = Type.Object({ vaultId: VaultId }, { additionalProperties: false });
const GrantParams = Type.Object({ vaultId: VaultId, grantId: GrantId }, { additionalProperties: false });

/** Registers the identity routes. */
export function registerIdentityRoutes(app: ApiApp, api: MasterApi): void {
  const identity = (): IdentityApi => {
    if (!api.identity) throw new ApiFailure('unavailable', 'this edge serves no identity operations');
    return api.identity;
  };
  const caller = (request: FastifyRequest) => {
    const c = callerOf(request);
    if (!c) throw new ApiFailure('unauthenticated', 'identity changes need a signed request', { reason: 'unsigned' });
    return c;
  };

  app.post(
    '/v1/actors',
    {
      schema: {
        operationId: 'registerActor',
        summary: 'Register an actor',
        description:
          'Appends `actor_registered`. A governance actor may register any roles; a new key may register ' +
          'itself (signed with that key, keyid = actor_id) as data_producer and/or task_submitter only.',
        tags,
        querystring: NoQuery,
        body: RegisterActorRequest,
        response: {
          201: described(ActorView, 'The registered actor.'),
          ...errorResponses('body_too_large', 'identity_refused'),
        },
      },
    },
    async (request, reply) => reply.code(201).send(await identity().registerActor(request.body, caller(request))),
  );

  app.post(
    '/v1/vaults/:vaultId/grants',
    {
      schema: {
        operationId: 'issueGrant',
        summary: 'Issue a Vault grant',
        description: "Appends `vault_grant_issued`; only the Vault's registered operator may.",
        tags,
        params: VaultIdParams,
        querystring: NoQuery,
        body: IssueGrantRequest,
        response: {
          201: described(GrantView, 'The grant, live.'),
          ...errorResponses('body_too_large', 'unknown_vault', 'identity_refused'),
        },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await identity().issueGrant(request.params.vaultId, request.body, caller(request))),
  );

  app.delete(
    '/v1/vaults/:vaultId/grants/:grantId',
    {
      schema: {
        operationId: 'revokeGrant',
        summary: 'Revoke a Vault grant',
        description: 'Appends `vault_grant_revoked`: no task admitted afterwards may rely on the grant.',
        tags,
        params: GrantParams,
        querystring: NoQuery,
        response: {
          200: described(GrantView, 'The grant, revoked.'),
          ...errorResponses('unknown_vault', 'identity_refused'),
        },
      },
    },
    async (request) => identity().revokeGrant(request.params.vaultId, request.params.grantId, caller(request)),
  );

  app.get(
    '/v1/vaults/:vaultId/grants',
    {
      schema: {
        operationId: 'listGrants',
        summary: "List a Vault's grants",
        tags,
        params: VaultIdParams,
        querystring: GrantQuery,
        response: { 200: described(GrantList, 'Grants by issue order.'), ...errorResponses('unknown_vault') },
      },
    },
    async (request) => identity().listGrants(request.params.vaultId, request.query),
  );

  app.post(
    '/v1/delegations/revoke',
    {
      schema: {
        operationId: 'revokeDelegation',
        summary: 'Revoke a delegation credential',
        description: 'Appends `delegation_revoked`; only the credential’s principal may. Binds every later task.',
        tags,
        querystring: NoQuery,
        body: RevokeDelegationRequest,
        response: {
          200: described(DelegationRevocationView, 'The revocation.'),
          ...errorResponses('body_too_large', 'identity_refused'),
        },
      },
    },
    async (request) => identity().revokeDelegation(request.body, caller(request)),
  );
}
