/** Where a running node serves its machine-readable and human documentation. */

/** The OpenAPI document, relative to the API base URL. */
export const OPENAPI_PATH = '/openapi.json';
/** The interactive API documentation, relative to the API base URL. */
export const DOCS_PATH = '/docs';

/** The URLs worth printing for a node at `baseUrl`. */
export function networkUrls(baseUrl: string): { api: string; openapi: string; docs: string; health: string } {
  return { api: baseUrl, openapi: baseUrl + OPENAPI_PATH, docs: baseUrl + DOCS_PATH, health: `${baseUrl}/healthz` };
}
