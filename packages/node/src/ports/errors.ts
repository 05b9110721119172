/**
 * The typed error every port and adapter throws for an expected failure. `code` is stable and
 * travels across process boundaries (a bus reply carries `code` and `message`, never a stack).
 */
export class PortError<C extends string = string> extends Error {
  /** Stable, machine-readable reason, snake_case. */
  readonly code: C;

  constructor(code: C, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PortError';
    this.code = code;
  }
}

/** True when `error` carries a string `code` (a `PortError` or any other typed error). */
export function hasErrorCode(error: unknown): error is Error & { code: string } {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
}
