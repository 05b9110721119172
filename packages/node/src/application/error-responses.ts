/**
 * Response schemas for error answers, grouped by status, so every route documents the catalog
 * codes it can answer with (and Fastify serializes error bodies with `ApiErrorBody`).
 */
import { ApiErrorBody, type ApiErrorCode, ERROR_CATALOG } from '@symphony/api';
import Type, { type TObject } from 'typebox';
import { RESPONSE_DESCRIPTION } from './response-schemas.ts';

/** Codes any route can answer with: bad input, a refused signature, an unreachable node, an unexpected failure. */
export const COMMON_ERROR_CODES = [
  'invalid_request',
  'unknown_field',
  'unauthenticated',
  'forbidden',
  'rate_limited',
  'unavailable',
  'internal',
] as const;

/** The error body schema of one status, described by the catalog entries of its codes. */
export type ErrorResponseSchema = TObject<typeof ApiErrorBody.properties>;

/**
 * Response schemas by status for `codes` plus the common codes. Each description lists the codes
 * with their meaning and fix; the 503 answer documents its `Retry-After` header.
 */
export function errorResponses(...codes: readonly ApiErrorCode[]): Record<number, ErrorResponseSchema> {
  const byStatus = new Map<number, ApiErrorCode[]>();
  for (const code of new Set<ApiErrorCode>([...codes, ...COMMON_ERROR_CODES])) {
    const status = ERROR_CATALOG[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: Record<number, ErrorResponseSchema> = {};
  for (const [status, statusCodes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const description = statusCodes
      .map((code) => `\`${code}\`: ${ERROR_CATALOG[code].description} ${ERROR_CATALOG[code].fix}`)
      .join('\n\n');
    const headers =
      status === ERROR_CATALOG.unavailable.status || status === ERROR_CATALOG.rate_limited.status
        ? { 'retry-after': { type: 'integer', minimum: 1, description: 'Seconds to wait before retrying.' } }
        : undefined;
    out[status] = Type.Object(ApiErrorBody.properties, {
      additionalProperties: false,
      [RESPONSE_DESCRIPTION]: description,
      ...(headers === undefined ? {} : { headers }),
    });
  }
  return out;
}
