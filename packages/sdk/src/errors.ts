/** The one error type of the SDK: an API error body, a transport failure or a bad answer. */
export class SymphonyApiError extends Error {
  override readonly name = 'SymphonyApiError';
  constructor(
    /** The API's stable error code (`not_found`, `rate_limited`, …), or `timeout`, `unreachable`, `bad_response`. */
    readonly code: string,
    message: string,
    /** HTTP status; 0 when no answer arrived. */
    readonly status: number,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
