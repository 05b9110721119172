/** The typed error of the API client: an API error body, an unexpected answer, or no answer at all. */
import { ERROR_CATALOG } from '@symphony/api';

/** Codes the client itself produces when the server gave no catalog error body. */
export const CLIENT_ERROR_CODES = ['connection_refused', 'unreachable', 'timeout', 'bad_response'] as const;
/** One of {@link CLIENT_ERROR_CODES}. */
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

/**
 * An API call that did not succeed. `code` is the stable code of the error body (see the catalog
 * in `@symphony/api`) or one of {@link CLIENT_ERROR_CODES}; `status` is the HTTP status, 0 when no
 * answer arrived.
 */
export class ApiClientError extends Error {
  override readonly name = 'ApiClientError';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The field the server blamed (`details.field`), when it named one. */
  get field(): string | undefined {
    const field = this.details?.field;
    return typeof field === 'string' ? field : undefined;
  }

  /** The catalog's fix for this code, when the code is in the catalog. */
  get hint(): string | undefined {
    return Object.hasOwn(ERROR_CATALOG, this.code)
      ? ERROR_CATALOG[this.code as keyof typeof ERROR_CATALOG].fix
      : undefined;
  }
}
