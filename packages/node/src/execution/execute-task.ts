/**
 * Executes a task inside the enterprise node that hosts its Vaults: materialize the resolved
 * attributes of the target Vaults as of a snapshot, run the program in the node's enclave, and
 * produce the released output, the transcript (commitments only) sealed by the enclave, and a
 * receipt signed by the node key that commits to transcript and attestation evidence.
 */
import {
  buildMerkleTree,
  type Contribution,
  digestBytes,
  domainHash,
  type ExecutionReceipt,
  hexToBytes,
  receiptHash,
  type TaskEnvelope,
} from '@symphony/protocol';
import type { VaultRecords } from '../data/vault-records.ts';
import type { Keyring } from '../ports/keyring.ts';
import type { TeeProvider } from '../ports/tee-provider.ts';
import type { ExecuteReply, ExecuteRequest, Resolution } from '../wire/enterprise-rpc.ts';
import { type Row, runBuiltin } from './builtin-operators.ts';
import { buildTranscript, replayContextOf, sealTranscript } from './transcript.ts';

export { replaySeed } from './transcript.ts';

/** Raised when a task cannot be executed for a reason that is not fraud (reported as a failed receipt). */
export class ExecutionRefused extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

/**
 * The code measurement of this executor runtime (built-in operators and transcript format). A
 * software enclave reports it; bump `version` whenever execution semantics change.
 */
export const EXECUTOR_MEASUREMENT = domainHash('scp/v1/enclave-measurement', {
  runtime: 'scs-builtin-executor',
  version: 2,
});

export type ExecutionContext = {
  nodeId: string;
  operator: string;
  keyName: string;
  keyring: Keyring;
  records: VaultRecords;
  /** The enclave executions run in: it attests and signs each transcript. */
  tee: TeeProvider;
};

/** Work already done on a snapshot (a snapshot never changes): its commitment root and its rows per binding. */
const snapshotWork = new WeakMap<readonly unknown[], { root?: string; rows: Map<string, Row[]> }>();

/** Materializes one Vault as of a snapshot: only the resolved attributes, never other fields. */
async function materialize(ctx: ExecutionContext, vault_id: string, as_of_seq: number, resolution: Resolution) {
  const binding = resolution.bindings.find((b) => b.vault_id === vault_id);
  if (!binding) throw new ExecutionRefused('vault_not_resolved');
  const stored = await ctx.records.snapshot(vault_id, as_of_seq);
  let work = snapshotWork.get(stored);
  if (!work) {
    work = { rows: new Map() };
    snapshotWork.set(stored, work);
  }
  const bindingKey = binding.attributes.map((a) => `${a.attribute}=${a.field}`).join(',');
  let rows = work.rows.get(bindingKey);
  if (!rows) {
    rows = stored.map((r) => ({
      subject: r.subject,
      fields: Object.fromEntries(binding.attributes.map((a) => [a.attribute, r.fields[a.field] ?? null])),
    }));
    work.rows.set(bindingKey, rows);
  }
  work.root ??= buildMerkleTree(stored.map((r) => hexToBytes(r.commitment))).rootHex;
  return { rows, input: { vault_id, as_of_seq, record_count: stored.length, records_root: work.root } };
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
  const materialized = await Promise.all(snapshots.map((s) => materialize(ctx, s.vault_id, s.as_of_seq, resolution)));
  const rows = materialized.flatMap((m) => m.rows);
  const { output, contributors } = runBuiltin(program, envelope.spec.filter, rows, {
    referenceMs: envelope.admitted_at_ms,
    kMin,
  });
  const built = buildTranscript({
    task_id: envelope.task_id,
    attempt,
    task_class: 'compute',
    code_hash: domainHash('scp/v1/builtin-program', program),
    replay_context: replayContextOf(envelope, envelopeHash),
    inputs: materialized.map((m) => m.input),
    output,
    resource_use: { records_scanned: rows.length, fuel: 0, memory_bytes: 0 },
    details: { k_min: kMin, suppressed: 'suppressed' in output },
  });
  return { output, contributors, ...built, records_scanned: rows.length };
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
  const sealed = await sealTranscript(ctx.tee, run.transcript);
  const receipt = await signReceipt(ctx, req, {
    replay_context: run.transcript.replay_context,
    input_commitments: run.transcript.inputs.map((i) => i.records_root),
    code_hash: run.transcript.code_hash,
    status: 'succeeded',
    output_hash: run.output_hash,
    transcript_hash: sealed.transcript_hash,
    usage: { records_scanned: run.records_scanned, fuel: run.transcript.resource_use.fuel, rounds: 0 },
    contributions,
    attestation: {
      provider: sealed.signed.evidence.provider,
      measurement: sealed.signed.evidence.measurement,
      evidence_hash: sealed.evidence_hash,
    },
  });
  return { receipt, output: run.output, transcript: sealed.signed };
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
> & { failure_code?: string; attestation?: ExecutionReceipt['attestation'] };

/** Completes a receipt with the node's identity and signs it with the node key. */
async function signReceipt(ctx: ExecutionContext, req: ExecuteRequest, facts: ReceiptFacts): Promise<ExecutionReceipt> {
  const { attestation, ...rest } = facts;
  const identity = attestation ? undefined : await ctx.tee.identity();
  const unsigned: Omit<ExecutionReceipt, 'signature'> = {
    schema_version: 1,
    task_id: req.envelope.task_id,
    attempt: req.attempt,
    executor_node: ctx.nodeId,
    vault_ids: [...req.envelope.targets.vault_ids],
    ...rest,
    // A failed receipt attests nothing: it names the enclave and commits to no evidence (the empty hash).
    attestation: attestation ?? {
      provider: identity!.provider,
      measurement: identity!.measurement,
      evidence_hash: rest.output_hash,
    },
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
    replay_context: replayContextOf(req.envelope, req.envelope_hash),
    input_commitments: [],
    code_hash: empty,
    status: 'failed',
    failure_code,
    output_hash: empty,
    transcript_hash: empty,
    usage: { records_scanned: 0, fuel: 0, rounds: 0 },
    contributions: [],
  });
}
