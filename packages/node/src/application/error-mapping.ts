/**
 * Turns anything thrown while answering a request into an error answer from the catalog: an
 * `ApiFailure` keeps its code, Fastify's own rejections (validation, body size, JSON syntax, bad
 * URL) become `invalid_request` / `unknown_field` / `body_too_large`, and everything else is a
 * generic `internal` answer. Unexpected errors are never echoed: their messages can carry record
 * contents or driver internals.
 */
import { type ApiErrorBody, type ApiErrorCode, ERROR_CATALOG } from '@symphony/api';
import { ApiFailure } from './master-api.ts';

/** Status, body and extra headers of one error answer. */
export type ErrorAnswer = {
  status: number;
  body: ApiErrorBody;
  headers: Readonly<Record<string, string>>;
};

/** What the mapping needs to know about the server and the request. */
export type ErrorContext = {
  /** The body limit the server enforces, reported in `body_too_large`. */
  bodyLimitBytes: number;
};

/** `Retry-After` seconds of an `unavailable` answer without a usable `details.retry_after_seconds`. */
export const DEFAULT_RETRY_AFTER_SECONDS = 1;
const MAX_RETRY_AFTER_SECONDS = 3600;

const GENERIC_INTERNAL_MESSAGE =
  'An unexpected failure; nothing was changed. Retry, and report the x-request-id header if it persists.';

/** Builds the answer for a catalog code. */
export function errorAnswer(code: ApiErrorCode, message: string, details?: Record<string, unknown>): ErrorAnswer {
  const body: ApiErrorBody = details === undefined ? { code, message } : { code, message, details };
  return { status: ERROR_CATALOG[code].status, body, headers: {} };
}

/** Maps anything thrown or passed to the error handler to its answer. */
export function mapError(error: unknown, context: ErrorContext): ErrorAnswer {
  if (error instanceof ApiFailure) return fromApiFailure(error);
  const fastify = fastifyError(error);
  if (fastify !== undefined) return fromFastifyError(fastify, context);
  return internalAnswer();
}

/** The answer to an unexpected failure: nothing about the cause leaves the process. */
export function internalAnswer(): ErrorAnswer {
  return errorAnswer('internal', GENERIC_INTERNAL_MESSAGE);
}

function fromApiFailure(failure: ApiFailure): ErrorAnswer {
  if (!Object.hasOwn(ERROR_CATALOG, failure.code) || failure.code === 'internal') return internalAnswer();
  const details = plainDetails(failure.details);
  const answer = errorAnswer(failure.code, failure.message, details);
  if (failure.code !== 'unavailable' && failure.code !== 'rate_limited') return answer;
  const requested = details?.retry_after_seconds;
  const seconds =
    typeof requested === 'number' && Number.isInteger(requested) && requested > 0
      ? Math.min(requested, MAX_RETRY_AFTER_SECONDS)
      : DEFAULT_RETRY_AFTER_SECONDS;
  return { ...answer, headers: { 'retry-after': String(seconds) } };
}

type FastifyError = Error & {
  code: string;
  statusCode?: number;
  validation?: unknown;
  validationContext?: unknown;
};

function fastifyError(error: unknown): FastifyError | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('FST_ERR_') ? (error as FastifyError) : undefined;
}

function fromFastifyError(error: FastifyError, context: ErrorContext): ErrorAnswer {
  switch (error.code) {
    case 'FST_ERR_VALIDATION':
      return fromValidation(error);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errorAnswer('body_too_large', `The request body exceeds the limit of ${context.bodyLimitBytes} bytes.`, {
        limit_bytes: context.bodyLimitBytes,
      });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errorAnswer('invalid_request', 'The request body is not valid JSON.', {
        in: 'body',
        reason: 'malformed_json',
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errorAnswer('invalid_request', 'Send the request body as application/json.', {
        in: 'body',
        reason: 'unsupported_media_type',
      });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return errorAnswer('invalid_request', 'The Content-Length header does not match the body.', {
        in: 'headers',
        reason: 'invalid_content_length',
      });
    case 'FST_ERR_BAD_URL':
      return errorAnswer('invalid_request', 'The URL is not validly percent-encoded.', {
        in: 'url',
        reason: 'malformed_url',
      });
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return errorAnswer('invalid_request', 'A path parameter is too long.', {
        in: 'params',
        reason: 'path_parameter_too_long',
      });
    default: {
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        return errorAnswer('invalid_request', 'The request was rejected by the HTTP layer.', {
          reason: 'rejected_request',
        });
      }
      return internalAnswer();
    }
  }
}

function fromValidation(error: FastifyError): ErrorAnswer {
  const part = typeof error.validationContext === 'string' ? error.validationContext : 'request';
  const [first] = Array.isArray(error.validation) ? (error.validation as unknown[]) : [];
  const issue = (typeof first === 'object' && first !== null ? first : {}) as Record<string, unknown>;
  const field = typeof issue.instancePath === 'string' ? issue.instancePath : '';
  const reason = typeof issue.message === 'string' ? issue.message : 'does not match the schema';
  const details = { in: part, field, reason };
  if (issue.keyword === 'unknown_field') {
    return errorAnswer('unknown_field', `Unknown field ${field} in the ${part}; remove it.`, details);
  }
  const where = field === '' ? `The ${part}` : `Field ${field} of the ${part}`;
  return errorAnswer('invalid_request', `${where} ${reason}.`, details);
}

/** Details as plain JSON, so serializing an answer cannot fail; unusable details are dropped. */
function plainDetails(details: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (details === undefined) return undefined;
  try {
    const copy: unknown = JSON.parse(JSON.stringify(details));
    return typeof copy === 'object' && copy !== null && !Array.isArray(copy)
      ? (copy as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
