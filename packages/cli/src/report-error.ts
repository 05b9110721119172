/** Turns any failure of a command into a message on stderr and an exit code. */
import { ApiClientError } from './api-client-error.ts';
import type { Printer } from './format/printer.ts';
import { LocalValidationError } from './validation/local-validation-error.ts';

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, failed: 1, invalidInput: 2 } as const;

/**
 * Prints the error and returns the exit code: API errors print `error <code>: <message>`, the
 * field the server named and the catalog's fix (exit 1); local validation prints every field and
 * reason (exit 2); anything else prints its message (exit 1).
 */
export function reportError(error: unknown, err: Printer): number {
  const { red, dim } = err.colors;
  if (error instanceof LocalValidationError) {
    err.line(`${red('error')} invalid_input: ${error.message}`);
    for (const problem of error.errors) err.line(`  ${problem.field}: ${problem.reason}`);
    return EXIT.invalidInput;
  }
  if (error instanceof ApiClientError) {
    err.line(`${red('error')} ${error.code}: ${error.message}`);
    if (error.field !== undefined) err.line(`  field: ${error.field}`);
    const reason = error.details?.reason;
    if (typeof reason === 'string') err.line(`  reason: ${reason}`);
    if (error.hint !== undefined) err.line(`  ${dim('fix:')} ${error.hint}`);
    return EXIT.failed;
  }
  const message = error instanceof Error ? error.message : String(error);
  err.line(`${red('error')}: ${message}`);
  return EXIT.failed;
}
