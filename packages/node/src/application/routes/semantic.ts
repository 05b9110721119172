/** Semantic registry routes: domains, Vault mappings, candidates, promotion, task resolutions. */
import {
  CandidateList,
  CandidateQuery,
  CandidateView,
  DeclareMappingRequest,
  PromoteCandidatesRequest,
  ProposeCandidateRequest,
  SemanticDomainList,
  TaskResolution,
} from '@symphony/api';
import { DomainName, SemanticDomain, SemanticVersion, TaskId, VaultId, VaultMapping } from '@symphony/protocol';
import Type from 'typebox';
import { errorResponses } from '../error-responses.ts';
import { ApiFailure, type MasterApi } from '../master-api.ts';
import { described } from '../response-schemas.ts';
import type { ApiApp } from './api-app.ts';
import { NoQuery } from './shared-schemas.ts';

const DomainParams = Type.Object({ domain: DomainName, version: SemanticVersion }, { additionalProperties: false });
const VaultIdParams = Type.Object({ vaultId: VaultId }, { additionalProperties: false });
const TaskIdParams = Type.Object({ taskId: TaskId }, { additionalProperties: false });

const tags = ['semantic'];

/** Registers the `/v1/semantic` routes and `GET /v1/tasks/:taskId/resolution`. */
export function registerSemanticRoutes(app: ApiApp, api: MasterApi): void {
  app.get(
    '/v1/semantic/domains',
    {
      schema: {
        operationId: 'listSemanticDomains',
        summary: 'The semantic registry',
        tags,
        querystring: NoQuery,
        response: { 200: described(SemanticDomainList, 'Every published domain version.'), ...errorResponses() },
      },
    },
    async () => api.semantic.domains(),
  );

  app.get(
    '/v1/semantic/domains/:domain/versions/:version',
    {
      schema: {
        operationId: 'getSemanticDomain',
        summary: 'One domain at one semantic_version',
        tags,
        params: DomainParams,
        querystring: NoQuery,
        response: {
          200: described(SemanticDomain, 'The domain definition.'),
          ...errorResponses('unknown_semantic_version'),
        },
      },
    },
    async (request) => {
      const { domain, version } = request.params;
      const found = api.semantic.domain(domain, version);
      if (!found) throw new ApiFailure('unknown_semantic_version', `${domain}@${version} is not published`);
      return found;
    },
  );

  app.post(
    '/v1/vaults/:vaultId/semantic-mapping',
    {
      schema: {
        operationId: 'declareVaultMapping',
        summary: "Declare a Vault's mapping to a domain",
        description:
          'Signed by the node hosting the Vault and appended as `vault_mapping_declared`; tasks admitted ' +
          'afterwards resolve through it (earlier tasks keep the mapping they were admitted under).',
        tags,
        params: VaultIdParams,
        querystring: NoQuery,
        body: DeclareMappingRequest,
        response: {
          201: described(VaultMapping, 'The signed mapping, now in the log.'),
          ...errorResponses('body_too_large', 'unknown_vault', 'unknown_semantic_version', 'semantic_refused'),
        },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await api.semantic.declareMapping(request.params.vaultId, request.body)),
  );

  app.post(
    '/v1/semantic/candidates',
    {
      schema: {
        operationId: 'proposeCandidate',
        summary: 'Propose a candidate attribute',
        description: 'A Vault proposes a local attribute; proposals are aggregated per epoch window.',
        tags,
        querystring: NoQuery,
        body: ProposeCandidateRequest,
        response: {
          201: described(CandidateView, 'The candidate with every Vault that proposed it this epoch.'),
          ...errorResponses('body_too_large', 'unknown_vault', 'semantic_refused'),
        },
      },
    },
    async (request, reply) => reply.code(201).send(await api.semantic.propose(request.body)),
  );

  app.get(
    '/v1/semantic/candidates',
    {
      schema: {
        operationId: 'listCandidates',
        summary: 'Candidate attributes',
        tags,
        querystring: CandidateQuery,
        response: { 200: described(CandidateList, 'Candidates per epoch window.'), ...errorResponses() },
      },
    },
    async (request) => api.semantic.candidates(request.query),
  );

  app.post(
    '/v1/semantic/promotions',
    {
      schema: {
        operationId: 'promoteCandidates',
        summary: 'Promote candidates into a new semantic_version',
        description:
          'Governance action, signed by this master: candidates of a closed epoch proposed by enough Vaults ' +
          'become attributes of a new version of the domain (a minor version must keep every attribute).',
        tags,
        querystring: NoQuery,
        body: PromoteCandidatesRequest,
        response: {
          201: described(SemanticDomain, 'The new domain version.'),
          ...errorResponses('body_too_large', 'semantic_refused'),
        },
      },
    },
    async (request, reply) => reply.code(201).send(await api.semantic.promote(request.body)),
  );

  app.get(
    '/v1/tasks/:taskId/resolution',
    {
      schema: {
        operationId: 'getTaskResolution',
        summary: "A task's semantic resolution",
        description: 'The auditable artifact the task was bound to; its hash is in the envelope and the log.',
        tags: ['tasks'],
        params: TaskIdParams,
        querystring: NoQuery,
        response: {
          200: described(TaskResolution, 'The resolution artifact and its hash.'),
          ...errorResponses('not_found'),
        },
      },
    },
    async (request) => api.semantic.resolution(request.params.taskId),
  );
}
