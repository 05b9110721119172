/**
 * Reason codes an executor reports when it refuses or contains a task (the `failure_code` of a
 * failed receipt, and the `reason_code` of the rejected task). Stable: clients branch on them.
 */
export const EXECUTION_REJECTION_REASONS = {
  unsupported_task_class: 'The executor does not run this task class.',
  vault_not_hosted: 'A target Vault is not hosted by the executing node.',
  vault_not_resolved: 'A target Vault has no semantic binding for the task.',
  program_source_missing: 'A sandbox program came without its source.',
  program_hash_mismatch: 'The SHA-256 of the program source differs from the declared code_hash.',
  program_not_approved: "The program's code_hash is not approved by the policy of every target Vault.",
  sandbox_program_invalid: 'The program does not parse or has no default export function run(rows, ctx).',
  sandbox_program_error: 'The program threw while running.',
  sandbox_host_access_denied: 'The program tried to reach a host facility (process, require, network, timers, I/O).',
  sandbox_import_denied: 'The program tried to load a module (static import or import()).',
  sandbox_nondeterminism_denied: 'The program tried to use a GC- or thread-dependent built-in (WeakRef, Atomics, ...).',
  sandbox_fuel_exhausted: 'The program spent its deterministic fuel budget (e.g. an infinite loop).',
  sandbox_time_limit: 'The program ran past the wall-clock safety limit.',
  sandbox_memory_limit: 'The program exceeded the heap limit (e.g. a memory bomb).',
  sandbox_stack_limit: 'The program exceeded the stack limit (e.g. unbounded recursion).',
  sandbox_output_too_large: 'The serialized output exceeds max_output_bytes.',
  sandbox_invalid_output:
    'The program returned no JSON value, a promise, a non-integer number (decimals travel as strings) or nesting deeper than 64.',
  output_contains_subject: "The output carries an input row's subject identifier (raw-record release).",
  output_contains_record: "The output carries an input row's complete set of attribute values (raw-record release).",
  output_too_granular: 'The output has more values than its distinct subjects allow (row-per-subject ratio).',
  derived_invalid:
    'A program that derives features returned them in the wrong shape: not { release, derived: [{ subject, features }] }, ' +
    'a subject not among its input rows or named twice, a feature it did not declare, or a value that is not a short scalar.',
} as const;

/** One execution rejection reason code. */
export type ExecutionRejectionReason = keyof typeof EXECUTION_REJECTION_REASONS;
