/**
 * The HTTP edge of a master node: a Fastify server over a `MasterApi`. It validates every request
 * against the schemas of `@symphony/api` before the api sees it (unknown fields rejected, no type
 * coercion), maps failures to the error catalog, serializes answers with the response schemas,
 * publishes its OpenAPI document, and counts requests for `/metrics`.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { registerConsoleStatic } from './console-static.ts';
import { type ErrorAnswer, errorAnswer, mapError } from './error-mapping.ts';
import { HttpMetrics, UNMATCHED_ROUTE } from './http-metrics.ts';
import { ApiFailure, type MasterApi } from './master-api.ts';
import { registerApiDocs, registerOpenApi } from './openapi.ts';
import { type RequestAuthOptions, registerRequestAuthentication } from './request-auth.ts';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id.ts';
import { registerAssuranceRoutes } from './routes/assurance.ts';
import { registerChallengeRoutes } from './routes/challenges.ts';
import { registerConsentRoutes } from './routes/consent.ts';
import { registerEconomicsRoutes } from './routes/economics.ts';
import { registerEpochRoutes } from './routes/epochs.ts';
import { registerIdentityRoutes } from './routes/identity.ts';
import { registerOperationRoutes } from './routes/operations.ts';
import { registerParticipationRoutes } from './routes/participation.ts';
import { registerProgramRoutes } from './routes/programs.ts';
import { registerRecordRoutes } from './routes/records.ts';
import { registerRewardRoutes } from './routes/rewards.ts';
import { registerSemanticRoutes } from './routes/semantic.ts';
import { registerTaskRoutes } from './routes/tasks.ts';
import { registerVaultRoutes } from './routes/vaults.ts';
import { compileRequestValidator } from './schema-validation.ts';
import { registerTaskVisibility } from './task-visibility.ts';

/** Default largest request body: 5 MiB. */
export const DEFAULT_BODY_LIMIT_BYTES = 5 * 1024 * 1024;

/** Options of the HTTP edge. Nothing is read from the environment. */
export type HttpServerOptions = {
  /** Largest accepted request body in bytes; larger ones get 413 `body_too_large`. Default 5 MiB. */
  bodyLimitBytes?: number;
  /**
   * Where one line per answered request goes (method, route template, status, duration, request id;
   * for a 500 also the error's class name). Never bodies, URLs or error messages. Default `false`: no logging.
   */
  logger?: Logger | false;
  /**
   * Request signatures (RFC 9421) and role checks on every `/v1` route. Default: on, with the api's
   * actor directory (an api without one authenticates nobody: fail closed). `false` turns it off
   * (tests of the HTTP layer alone, and the signature-off baseline of the admission benchmark).
   */
  authentication?: Partial<RequestAuthOptions> | false;
  /** Serves the web console's static build from `root` at `/console`. */
  console?: { root: string };
};

/**
 * Builds the server with every route registered. Call `listen()` to serve or `inject()` to test;
 * the caller owns `close()`.
 */
export async function createHttpServer(api: MasterApi, options: HttpServerOptions = {}): Promise<FastifyInstance> {
  const bodyLimitBytes = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  if (!Number.isSafeInteger(bodyLimitBytes) || bodyLimitBytes < 1) {
    throw new RangeError(`bodyLimitBytes must be a positive integer, got ${bodyLimitBytes}`);
  }
  const logger = options.logger ?? false;
  const metrics = new HttpMetrics();
  const failures = new WeakMap<FastifyRequest, string>();

  const send = (reply: FastifyReply, answer: ErrorAnswer) =>
    reply.code(answer.status).headers(answer.headers).send(answer.body);

  const app = Fastify({
    logger: false,
    bodyLimit: bodyLimitBytes,
    requestIdHeader: false,
    genReqId: requestIdOf,
    // Errors raised before routing (undecodable URL, over-long path parameter).
    frameworkErrors: (error, request, reply) => {
      reply.header(REQUEST_ID_HEADER, request.id);
      send(reply, mapError(error, { bodyLimitBytes }));
    },
    // While closing, answer 503 `unavailable` through the catalog (see the onRequest hook), not Fastify's own body.
    return503OnClosing: false,
    // Defence in depth: the validator compiler below replaces Ajv for every route, but should
    // anything fall back to Ajv it must neither drop unknown properties nor coerce types.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
  });

  app.setValidatorCompiler(compileRequestValidator);
  // Bodies are JSON only: a text/plain body is 415 -> 400 `unsupported_media_type`, not a string to validate.
  app.removeContentTypeParser('text/plain');

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const answer = mapError(error, { bodyLimitBytes });
    if (answer.status >= 500) failures.set(request, errorClass(error));
    return send(reply, answer);
  });

  app.setNotFoundHandler((_request, reply) =>
    send(reply, errorAnswer('not_found', 'No such route; the routes are listed in /openapi.json.')),
  );

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    const failure = new ApiFailure('unavailable', 'This master node is shutting down; retry, or use another master.');
    return send(reply, mapError(failure, { bodyLimitBytes }));
  });

  app.addHook('onSend', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.is404 ? UNMATCHED_ROUTE : (request.routeOptions.url ?? UNMATCHED_ROUTE);
    const status = reply.statusCode;
    metrics.observe(request.method, route, status, reply.elapsedTime / 1000);
    if (logger === false) return;
    const line = {
      request_id: request.id,
      method: request.method,
      route,
      status,
      duration_ms: Math.round(reply.elapsedTime * 1000) / 1000,
      ...(failures.has(request) ? { error: failures.get(request) } : {}),
    };
    if (status >= 500) logger.error(line, 'request failed');
    else logger.info(line, 'request');
  });

  if (options.authentication !== false) {
    const directory = options.authentication?.directory ??
      api.directory?.() ?? { actor: () => undefined, vaultOperator: () => undefined };
    registerRequestAuthentication(app, { ...options.authentication, directory });
  }

  await registerOpenApi(app);
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  registerTaskRoutes(typed, api);
  registerRecordRoutes(typed, api);
  registerVaultRoutes(typed, api);
  registerEpochRoutes(typed, api);
  registerRewardRoutes(typed, api);
  registerEconomicsRoutes(typed, api);
  registerConsentRoutes(typed, api);
  registerParticipationRoutes(typed, api);
  registerSemanticRoutes(typed, api);
  registerIdentityRoutes(typed, api);
  registerProgramRoutes(typed, api);
  registerOperationRoutes(typed, api, metrics);
  registerChallengeRoutes(typed, api);
  registerAssuranceRoutes(typed, api);
  registerTaskVisibility(app, api);
  if (options.console) registerConsoleStatic(app, options.console.root);
  await registerApiDocs(app);
  return app;
}

/** The class name of a thrown value: safe to log, unlike its message. */
function errorClass(error: unknown): string {
  if (error instanceof Error) return error.constructor.name || 'Error';
  return typeof error;
}
