/** Consent routes: grant (a batch), revoke, list. */
import { ConsentList, ConsentQuery, ConsentView, GrantConsentRequest, RevokeConsentRequest } from '@symphony/api';
import Type from 'typebox';
import { errorResponses } from '../error-responses.ts';
import type { MasterApi } from '../master-api.ts';
import { described } from '../response-schemas.ts';
import type { ApiApp } from './api-app.ts';
import { NoQuery } from './shared-schemas.ts';

const GrantConsentsBody = Type.Object(
  { grants: Type.Array(GrantConsentRequest, { minItems: 1, maxItems: 1000 }) },
  { additionalProperties: false },
);
const ConsentViews = Type.Object({ consents: Type.Array(ConsentView) }, { additionalProperties: false });

const tags = ['consent'];

/** Registers the `/v1/consents` routes. */
export function registerConsentRoutes(app: ApiApp, api: MasterApi): void {
  app.post(
    '/v1/consents',
    {
      schema: {
        operationId: 'grantConsents',
        summary: 'Record consents of data subjects',
        description:
          "Each grant is signed by the node hosting the Vault (the Vault operator, on the subject's behalf) and " +
          'appended to the protocol log as `consent_granted`, in order. Only subjects with a live consent to a ' +
          "task's scope at its admission contribute to it.",
        tags,
        querystring: NoQuery,
        body: GrantConsentsBody,
        response: {
          201: described(ConsentViews, 'The consents as they stand after the grants.'),
          ...errorResponses('body_too_large', 'unknown_vault', 'consent_refused'),
        },
      },
    },
    async (request, reply) => reply.code(201).send({ consents: await api.consent.grant(request.body.grants) }),
  );

  app.post(
    '/v1/consents/revoke',
    {
      schema: {
        operationId: 'revokeConsent',
        summary: 'Revoke a consent',
        description: 'Appends `consent_revoked`: every task admitted after it excludes the subject.',
        tags,
        querystring: NoQuery,
        body: RevokeConsentRequest,
        response: {
          200: described(ConsentView, 'The consent, now revoked.'),
          ...errorResponses('body_too_large', 'unknown_vault', 'consent_not_found', 'consent_refused'),
        },
      },
    },
    async (request) => api.consent.revoke(request.body),
  );

  app.get(
    '/v1/consents',
    {
      schema: {
        operationId: 'listConsents',
        summary: 'List consents',
        tags,
        querystring: ConsentQuery,
        response: { 200: described(ConsentList, 'Matching consents, by last change.'), ...errorResponses() },
      },
    },
    async (request) => api.consent.list(request.query),
  );
}
