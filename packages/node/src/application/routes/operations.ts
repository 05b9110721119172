/** Operational routes: the network view, health and metrics. */
import { ApiErrorBody, Health, NetworkView } from '@symphony/api';
import Type from 'typebox';
import { errorResponses } from '../error-responses.ts';
import { type HttpMetrics, PROMETHEUS_CONTENT_TYPE } from '../http-metrics.ts';
import type { MasterApi } from '../master-api.ts';
import { described } from '../response-schemas.ts';
import type { ApiApp } from './api-app.ts';
import { NoQuery } from './shared-schemas.ts';

const tags = ['operations'];

/** Registers `/v1/network`, `/healthz` and `/metrics`; `/metrics` appends `metrics` to the runtime's. */
export function registerOperationRoutes(app: ApiApp, api: MasterApi, metrics: HttpMetrics): void {
  app.get(
    '/v1/network',
    {
      schema: {
        operationId: 'getNetwork',
        summary: 'The network: masters, enterprise nodes, Vaults, semantic domains',
        tags,
        querystring: NoQuery,
        response: { 200: described(NetworkView, 'The network as this master sees it.'), ...errorResponses() },
      },
    },
    async () => api.network(),
  );

  const { 503: _unavailable, ...healthErrors } = errorResponses();
  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'getHealth',
        summary: 'Health of this master node',
        tags,
        querystring: NoQuery,
        response: {
          200: described(Health, 'Every check passes.'),
          503: described(
            Type.Union([Health, Type.Object(ApiErrorBody.properties, { additionalProperties: false })]),
            'A check is failing (a Health body), or `unavailable`: a node needed for the check did not answer ' +
              '(an ApiErrorBody with a Retry-After header).',
          ),
          ...healthErrors,
        },
      },
    },
    async (_request, reply) => {
      const health = await api.health();
      return reply.code(health.status === 'ok' ? 200 : 503).send(health);
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        operationId: 'getMetrics',
        summary: 'Prometheus metrics (text format 0.0.4)',
        tags,
        querystring: NoQuery,
        response: {
          200: {
            description: 'Runtime metrics followed by the HTTP metrics of this edge.',
            content: { 'text/plain': { schema: Type.String() } },
          },
          ...errorResponses(),
        },
      },
    },
    async (_request, reply) => {
      await api.refreshMetrics?.();
      const runtime = api.metrics();
      const text = runtime === '' || runtime.endsWith('\n') ? runtime : `${runtime}\n`;
      return reply.type(PROMETHEUS_CONTENT_TYPE).send(text + metrics.render());
    },
  );
}
