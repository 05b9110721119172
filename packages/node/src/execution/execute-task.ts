/**
 * Executes a task inside the enterprise node that hosts its Vaults: materialize the resolved
 * attributes of the target Vaults as of a snapshot, run the program, and produce the released
 * output, the transcript (commitments only) and a receipt signed by the node key.
 */
import {
  type Contribution,
  digestBytes,
  domainHash,
  type ExecutionReceipt,
  receiptHash,
  type TaskEnvelope,
} from '@symphony/protocol';
import { ADMIT_ALL, type Admissibility, materializeRecords } from '../data/materialize-records.ts';
import type { VaultRecords } from '../data/vault-records.ts';
import type { Keyring } from '../ports/keyring.ts';
import type { ExecuteReply, ExecuteRequest, ExecutionTranscript, Resolution } from '../wire/enterprise-rpc.ts';
import { type Row, runBuiltin } from './builtin-operators.ts';

/** Raised when a task cannot be executed for a reason that is not fraud (reported as a failed receipt). */
export class ExecutionRefused extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

export const SIMULATED_MEASUREMENT = domainHash('scp/v1/enclave-measurement', {
  runtime: 'scs-builtin-executor',
  version: 1,
});

export type ExecutionContext = {
  nodeId: string;
  operator: string;
  keyName: string;
  keyring: Keyring;
  records: VaultRecords;
  /** The admissibility predicate of a Vault for the task being run (consent, grants); absent admits all. */
  admissible?: (envelope: TaskEnvelope, vault_id: string) => Admissibility;
};

/** The deterministic seed of a task's replay context. */
export const replaySeed = (envelopeHash: string) => domainHash('scp/v1/replay-seed', { envelope_hash: envelopeHash });

/** Materializes one Vault as of a snapshot through the materializer: only the resolved attributes. */
async function materialize(
  ctx: ExecutionContext,
  vault_id: string,
  as_of_seq: number,
  resolution: Resolution,
  envelope: TaskEnvelope,
) {
  const binding = resolution.bindings.find((b) => b.vault_id === vault_id);
  if (!binding) throw new ExecutionRefused('vault_not_resolved');
  const m = await materializeRecords(ctx.records, {
    vault_id,
    as_of_seq,
    as_of_ms: envelope.admitted_at_ms,
    attributes: binding.attributes,
    admissible: ctx.admissible?.(envelope, vault_id) ?? ADMIT_ALL,
  });
  return {
    rows: m.rows as Row[],
    input: { vault_id, as_of_seq, record_count: m.record_count, records_root: m.records_root },
  };
}

/** Runs the program over pinned snapshots; used by execution and by re-execution alike. */
export async function computeOutput(
  ctx: ExecutionContext,
  envelope: TaskEnvelope,
  envelopeHash: string,
  attempt: number,
  resolution: Resolution,
  kMin: number,
  snapshots: readonly { vault_id: string; as_of_seq: number }[],
) {
  if (envelope.spec.kind !== 'compute') throw new ExecutionRefused('unsupported_task_class');
  const program = envelope.spec.program;
  if (program.type !== 'builtin') throw new ExecutionRefused('sandbox_not_available');
  const materialized = await Promise.all(
    snapshots.map((s) => materialize(ctx, s.vault_id, s.as_of_seq, resolution, envelope)),
  );
  const rows = materialized.flatMap((m) => m.rows);
  const { output, contributors } = runBuiltin(program, envelope.spec.filter, rows, {
    referenceMs: envelope.admitted_at_ms,
    kMin,
  });
  const code_hash = domainHash('scp/v1/builtin-program', program);
  const output_hash = domainHash('scp/v1/task-output', output);
  const transcript: ExecutionTranscript = {
    schema_version: 1,
    task_id: envelope.task_id,
    attempt,
    code_hash,
    replay_context: {
      epoch_id: envelope.epoch_id,
      semantic_version: envelope.semantic.semantic_version,
      policy_version: envelope.policy_version,
      seed: replaySeed(envelopeHash),
    },
    inputs: materialized.map((m) => m.input),
    k_min: kMin,
    suppressed: 'suppressed' in output,
    output_hash,
  };
  return { output, contributors, transcript, records_scanned: rows.length };
}

/** Executes a dispatched task and signs the receipt. */
export async function executeTask(ctx: ExecutionContext, req: ExecuteRequest): Promise<ExecuteReply> {
  const snapshots = await Promise.all(
    req.envelope.targets.vault_ids.map(async (vault_id) => ({
      vault_id,
      as_of_seq: await ctx.records.head(vault_id),
    })),
  );
  const run = await computeOutput(
    ctx,
    req.envelope,
    req.envelope_hash,
    req.attempt,
    req.resolution,
    req.policy.k_min,
    snapshots,
  );
  const contributions: Contribution[] = [...run.contributors]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([account, units]) => ({ account, role: 'data_producer', units }));
  if (run.records_scanned > 0)
    contributions.push({ account: ctx.operator, role: 'vault_operator', units: run.records_scanned });
  const transcriptHash = domainHash('scp/v1/execution-transcript', run.transcript);
  const receipt = await signReceipt(ctx, req, {
    replay_context: run.transcript.replay_context,
    input_commitments: run.transcript.inputs.map((i) => i.records_root),
    code_hash: run.transcript.code_hash,
    status: 'succeeded',
    output_hash: run.transcript.output_hash,
    transcript_hash: transcriptHash,
    usage: { records_scanned: run.records_scanned, fuel: 0, rounds: 0 },
    contributions,
    evidence_hash: transcriptHash,
  });
  return { receipt, output: run.output, transcript: run.transcript };
}

type ReceiptFacts = Pick<
  ExecutionReceipt,
  | 'replay_context'
  | 'input_commitments'
  | 'code_hash'
  | 'status'
  | 'output_hash'
  | 'transcript_hash'
  | 'usage'
  | 'contributions'
> & { failure_code?: string; evidence_hash: string };

/** Completes a receipt with the node's identity and signs it with the node key. */
async function signReceipt(ctx: ExecutionContext, req: ExecuteRequest, facts: ReceiptFacts): Promise<ExecutionReceipt> {
  const { evidence_hash, ...rest } = facts;
  const unsigned: Omit<ExecutionReceipt, 'signature'> = {
    schema_version: 1,
    task_id: req.envelope.task_id,
    attempt: req.attempt,
    executor_node: ctx.nodeId,
    vault_ids: [...req.envelope.targets.vault_ids],
    ...rest,
    attestation: { provider: 'simulated', measurement: SIMULATED_MEASUREMENT, evidence_hash },
    signer_public_key: await ctx.keyring.publicKeyHex(ctx.keyName),
  };
  return { ...unsigned, signature: await ctx.keyring.sign(ctx.keyName, digestBytes(receiptHash(unsigned))) };
}

/** A signed receipt reporting that the node cannot execute the task (honest failure, not fraud). */
export async function failureReceipt(
  ctx: ExecutionContext,
  req: ExecuteRequest,
  failure_code: string,
): Promise<ExecutionReceipt> {
  const empty = domainHash('scp/v1/task-output', { failure_code });
  return signReceipt(ctx, req, {
    replay_context: {
      epoch_id: req.envelope.epoch_id,
      semantic_version: req.envelope.semantic.semantic_version,
      policy_version: req.envelope.policy_version,
      seed: replaySeed(req.envelope_hash),
    },
    input_commitments: [],
    code_hash: empty,
    status: 'failed',
    failure_code,
    output_hash: empty,
    transcript_hash: empty,
    usage: { records_scanned: 0, fuel: 0, rounds: 0 },
    contributions: [],
    evidence_hash: empty,
  });
}
