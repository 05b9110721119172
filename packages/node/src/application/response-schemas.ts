/** Documentation helpers for response schemas. */
import type { TSchema } from 'typebox';

/** The keyword @fastify/swagger reads a response's description from (and strips from its schema). */
export const RESPONSE_DESCRIPTION = 'x-response-description';

/** `schema` with the description of the response it is used for; the schema itself is not changed. */
export function described<T extends TSchema>(schema: T, description: string): T {
  return { ...schema, [RESPONSE_DESCRIPTION]: description } as T;
}
