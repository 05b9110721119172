/** A problem found on this machine before anything was sent (exit code 2). */
import type { FieldError } from './explain-errors.ts';

/** Input the CLI refused locally: a file that is missing, not JSON, or not valid against its schema. */
export class LocalValidationError extends Error {
  override readonly name = 'LocalValidationError';
  constructor(
    message: string,
    readonly errors: readonly FieldError[] = [],
  ) {
    super(message);
  }
}
