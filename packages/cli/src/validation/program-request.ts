/**
 * Builds a Compute `SubmitTaskRequest` around a JavaScript program file (`task submit --program`):
 * the source travels in the spec with its SHA-256 `code_hash`, the identity Vault policies approve.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SubmitTaskRequest } from '@symphony/api';
import { sha256Hex } from '@symphony/protocol';
import { explainErrors } from './explain-errors.ts';
import { LocalValidationError } from './local-validation-error.ts';

/** The flags that describe a program task when no request file is given. */
export type ProgramTaskFlags = {
  taskClass?: string;
  vault?: string[];
  attributes?: string;
  submitter?: string;
  consentScope: string;
  maxFee: string;
  domain: string;
  semanticVersion: string;
  maxOutputBytes: number;
};

/** Reads a program file and returns the sandbox program of a Compute spec. */
export async function readProgram(file: string, cwd: string, maxOutputBytes: number) {
  let source: string;
  try {
    source = await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new LocalValidationError(`cannot read program ${file}: ${(error as Error).message}`);
  }
  return {
    type: 'sandbox' as const,
    code_hash: sha256Hex(new TextEncoder().encode(source)),
    max_output_bytes: maxOutputBytes,
    source,
  };
}

/** Puts `program` into `base` (a request file) or into a request built from `flags`, then validates it. */
export function withProgram(
  base: SubmitTaskRequest | undefined,
  program: Awaited<ReturnType<typeof readProgram>>,
  flags: ProgramTaskFlags,
): SubmitTaskRequest {
  if (flags.taskClass !== undefined && flags.taskClass !== 'compute')
    throw new LocalValidationError(`--program needs --class compute, not ${flags.taskClass}`);
  let value: unknown;
  if (base) {
    if (base.spec.kind !== 'compute') throw new LocalValidationError('--program needs a compute request file');
    value = { ...base, spec: { ...base.spec, program } };
  } else {
    const missing = [
      ['--vault', flags.vault?.length ? 'ok' : undefined],
      ['--attributes', flags.attributes],
      ['--submitter', flags.submitter],
    ].find(([, v]) => v === undefined);
    if (missing)
      throw new LocalValidationError(`${missing[0]} is required with --program when no request file is given`);
    value = {
      class: 'compute',
      submitter: flags.submitter,
      consent_scope: flags.consentScope,
      targets: { vault_ids: flags.vault },
      semantic: {
        domain: flags.domain,
        semantic_version: flags.semanticVersion,
        attributes: (flags.attributes ?? '').split(',').map((a) => a.trim()),
      },
      budget: { max_fee: flags.maxFee },
      spec: { kind: 'compute', program, filter: [] },
    };
  }
  const errors = explainErrors(SubmitTaskRequest, value);
  if (errors.length > 0) throw new LocalValidationError('the program task is not a valid SubmitTaskRequest', errors);
  return value as SubmitTaskRequest;
}
