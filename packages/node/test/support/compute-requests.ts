/** Task requests for tests: a built-in Compute, or a submitted program in the sandbox, over one Vault. */
import type { SubmitTaskRequest } from '@symphony/api';
import { sha256Hex } from '@symphony/protocol';

/** SHA-256 of a program's source: its code hash, the identity a Vault approves. */
export const codeHashOf = (source: string) => sha256Hex(new TextEncoder().encode(source));

/** A Compute request running `source` in the sandbox over `vault_id`, by `act_brand` unless told otherwise. */
export function sandboxComputeRequest(
  source: string,
  opts: {
    vault_id: string;
    attributes: string[];
    semantic_version?: string;
    submitter?: string;
    derives?: string[];
    max_output_bytes?: number;
  },
): SubmitTaskRequest {
  return {
    class: 'compute',
    submitter: opts.submitter ?? 'act_brand',
    consent_scope: 'analytics',
    targets: { vault_ids: [opts.vault_id] },
    semantic: {
      domain: 'commerce.receipt',
      semantic_version: opts.semantic_version ?? '1.0.0',
      attributes: opts.attributes,
    },
    budget: { max_fee: '100000' },
    spec: {
      kind: 'compute',
      program: {
        type: 'sandbox',
        code_hash: codeHashOf(source),
        max_output_bytes: opts.max_output_bytes ?? 4096,
        source,
        ...(opts.derives ? { derives: opts.derives } : {}),
      },
      filter: [],
    },
  } as SubmitTaskRequest;
}

/** The built-in Compute most lifecycle tests submit: the sum of `total_amount` over coffee receipts of `vault_id`. */
export function coffeeSumRequest(vault_id: string): SubmitTaskRequest {
  return {
    class: 'compute',
    submitter: 'act_brand',
    consent_scope: 'analytics',
    targets: { vault_ids: [vault_id] },
    semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['category', 'total_amount'] },
    budget: { max_fee: '100000' },
    spec: {
      kind: 'compute',
      program: { type: 'builtin', operator: 'sum', attribute: 'total_amount' },
      filter: [{ attribute: 'category', op: 'eq', value: 'coffee' }],
    },
  };
}
