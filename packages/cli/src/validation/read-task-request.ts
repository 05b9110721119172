/** Reads a `SubmitTaskRequest` from a JSON file and validates it locally before anything is sent. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SubmitTaskRequest } from '@symphony/api';
import { explainErrors } from './explain-errors.ts';
import { LocalValidationError } from './local-validation-error.ts';

/**
 * Parses `file` (relative paths against `cwd`) as JSON and checks it against `SubmitTaskRequest`.
 * Throws {@link LocalValidationError} naming each field and reason when it does not fit.
 */
export async function readTaskRequest(file: string, cwd: string = process.cwd()): Promise<SubmitTaskRequest> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LocalValidationError(
      code === 'ENOENT' ? `cannot read ${file}: no such file` : `cannot read ${file}: ${(error as Error).message}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new LocalValidationError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const errors = explainErrors(SubmitTaskRequest, value);
  if (errors.length > 0) {
    throw new LocalValidationError(`${file} is not a valid SubmitTaskRequest`, errors);
  }
  return value as SubmitTaskRequest;
}
