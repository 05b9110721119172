/**
 * The validator compiler of the HTTP edge. It replaces Fastify's default Ajv, which removes
 * unknown properties and coerces types, with typebox's compiler over a strict copy of each schema:
 * unknown fields are rejected, types are never coerced, and the one reported issue names the
 * offending field. The only conversion is a canonical decimal string to an integer (or number)
 * in the query string and path parameters, which cannot carry JSON types.
 */
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import { type SchemaNode, strictSchema } from './strict-schema.ts';
import { findValidationIssue, type ValidationIssue, validatorFor } from './validation-issue.ts';

/** Request parts whose values arrive as strings and may have integers converted. */
const STRING_PARTS = new Set(['querystring', 'params']);

const CANONICAL_INTEGER = /^-?(0|[1-9][0-9]{0,15})$/;

/**
 * Compiles one route schema part. An invalid value yields a single validation error whose
 * `keyword` is the catalog code (`invalid_request` or `unknown_field`), `instancePath` the JSON
 * Pointer of the field and `message` the reason; `error-mapping.ts` turns it into the answer.
 */
export const compileRequestValidator: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const strict = strictCopy(schema);
  validatorFor(strict); // compile now, so a broken schema fails at startup rather than on a request
  const convert = httpPart !== undefined && STRING_PARTS.has(httpPart);
  return (data: unknown) => {
    const value = convert ? convertIntegers(strict, data) : data;
    const issue = findValidationIssue(strict, value);
    return issue === undefined ? { value } : { error: [toValidationError(issue)] };
  };
};

/** Strict copies by source schema: route schemas are shared constants, so servers share compiled validators. */
const strictCopies = new WeakMap<object, SchemaNode>();

function strictCopy(schema: unknown): SchemaNode {
  if (typeof schema !== 'object' || schema === null) return strictSchema(schema);
  let strict = strictCopies.get(schema);
  if (strict === undefined) {
    strict = strictSchema(schema);
    strictCopies.set(schema, strict);
  }
  return strict;
}

/** The Fastify validation error carrying one issue. */
export function toValidationError(issue: ValidationIssue): FastifySchemaValidationError {
  return {
    keyword: issue.code,
    instancePath: issue.field,
    schemaPath: '#',
    params: { reason: issue.reason },
    message: issue.reason,
  };
}

/** A copy of a flat string map with canonical decimal strings turned into numbers where the schema wants one. */
function convertIntegers(schema: SchemaNode, data: unknown): unknown {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  const properties = schema.properties;
  const wanted = (key: string): SchemaNode | undefined =>
    typeof properties === 'object' && properties !== null && Object.hasOwn(properties, key)
      ? (properties as Record<string, SchemaNode>)[key]
      : undefined;
  // fromEntries defines own properties, so a `__proto__` key stays a (rejected) field.
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => {
      const type = wanted(key)?.type;
      const numeric = type === 'integer' || type === 'number';
      return [key, numeric && typeof value === 'string' && CANONICAL_INTEGER.test(value) ? Number(value) : value];
    }),
  );
}
