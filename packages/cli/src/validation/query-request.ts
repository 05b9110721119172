/**
 * Builds a Query `SubmitTaskRequest` from a query spec file (`task submit --query spec.json`): the
 * spec (filter, group_by, aggregates with clamps) is read from the file, the attributes the task
 * pins are exactly those the spec reads, and the whole request is validated before sending.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SubmitTaskRequest } from '@symphony/api';
import { specAttributes, type TaskSpec } from '@symphony/protocol';
import { explainErrors } from './explain-errors.ts';
import { LocalValidationError } from './local-validation-error.ts';
import type { ProgramTaskFlags } from './program-request.ts';

export async function queryRequest(file: string, cwd: string, flags: Omit<ProgramTaskFlags, 'maxOutputBytes'>) {
  if (flags.taskClass !== undefined && flags.taskClass !== 'query')
    throw new LocalValidationError(`--query needs --class query, not ${flags.taskClass}`);
  let spec: unknown;
  try {
    spec = JSON.parse(await readFile(resolve(cwd, file), 'utf8'));
  } catch (error) {
    throw new LocalValidationError(`cannot read query spec ${file}: ${(error as Error).message}`);
  }
  if (typeof spec !== 'object' || spec === null) throw new LocalValidationError(`${file} is not a JSON object`);
  const withKind = { kind: 'query', ...(spec as Record<string, unknown>) } as TaskSpec;
  const missing = [
    ['--vault', flags.vault?.length ? 'ok' : undefined],
    ['--submitter', flags.submitter],
  ].find(([, v]) => v === undefined);
  if (missing) throw new LocalValidationError(`${missing[0]} is required with --query`);
  let attributes: string[];
  try {
    attributes = specAttributes(withKind);
  } catch {
    attributes = [];
  }
  const value = {
    class: 'query',
    submitter: flags.submitter,
    consent_scope: flags.consentScope,
    targets: { vault_ids: flags.vault },
    semantic: {
      domain: flags.domain,
      semantic_version: flags.semanticVersion,
      attributes: flags.attributes ? flags.attributes.split(',').map((a) => a.trim()) : attributes,
    },
    budget: { max_fee: flags.maxFee },
    spec: withKind,
  };
  const errors = explainErrors(SubmitTaskRequest, value);
  if (errors.length > 0) throw new LocalValidationError(`${file} does not make a valid query task`, errors);
  return value as SubmitTaskRequest;
}
