/**
 * Executes a task inside the enterprise node that hosts its Vaults: materialize the resolved
 * attributes of the target Vaults as of a snapshot, run the program in the node's enclave, and
 * produce the released output, the transcript (commitments only) sealed by the enclave, and a
 * receipt signed by the node key that commits to transcript and attestation evidence.
 */

import type { RecordInput } from '@symphony/api';
import {
  type Contribution,
  digestBytes,
  domainHash,
  type ExecutionReceipt,
  receiptHash,
  type TaskEnvelope,
  transcriptHash,
} from '@symphony/protocol';
import { CONSENT_AS_OF, type ConsentGate, type ConsentOracle } from '../data/consent-gate.ts';
import { InvalidDerivation, materializeRecords } from '../data/materialize-records.ts';
import type { VaultRecords } from '../data/vault-records.ts';
import type { Keyring } from '../ports/keyring.ts';
import type { TeeProvider } from '../ports/tee-provider.ts';
import type { ExecuteReply, ExecuteRequest, Resolution } from '../wire/enterprise-rpc.ts';
import { type Row, runBuiltinOnParts } from './builtin-operators.ts';
import { type ParseRuntime, ParseTaskRefused, runParseTask } from './parse/parse-task.ts';
import {
  checkProgramAllowed,
  type ProgramApproval,
  runSandboxCompute,
  type SandboxUsage,
} from './sandbox/compute-program.ts';
import { type DerivedFeatures, derivedRecordId } from './sandbox/derived-features.ts';
import { DEFAULT_SANDBOX_LIMITS, type SandboxLimits } from './sandbox/quickjs-sandbox.ts';
import { SandboxRejected } from './sandbox/sandbox-rejection.ts';
import { buildTranscript, outputHash, replayContextOf, sealTranscript } from './transcript.ts';

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
  /** Documents and OCR for Parse tasks (absent: Parse tasks are refused). */
  parse?: ParseRuntime;
  /** The Vaults' program policy: which code hashes may run over which Vault (fails closed if absent). */
  programApproval?: ProgramApproval;
  /** Sandbox limits; the defaults unless a node (or a test) narrows them. */
  sandboxLimits?: SandboxLimits;
  /** Which subjects' records may contribute to a task (consent at its admission position). */
  consent: ConsentOracle;
  /** The enclave executions run in: it attests and signs each transcript. */
  tee: TeeProvider;
  /**
   * Test-only: a compromised enclave that replaces some outputs before sealing them (returns the
   * replacement, or undefined to leave the output alone). Re-execution never applies it. Never set
   * outside tests: verification and challenges exist to catch exactly this.
   */
  fault?: ExecutionFault;
};

/** A compromised enclave's tampering, for tests of verification and challenges. */
export type ExecutionFault = (task_id: string, attempt: number, output: unknown) => unknown;

/**
 * Materializes one Vault as of a snapshot through the materializer: only the resolved attributes,
 * and only rows of subjects the task's consent gate admits.
 */
async function materialize(
  ctx: ExecutionContext,
  vault_id: string,
  as_of_seq: number,
  resolution: Resolution,
  gate: ConsentGate,
  asOfMs: number,
) {
  const binding = resolution.bindings.find((b) => b.vault_id === vault_id);
  if (!binding) throw new ExecutionRefused('vault_not_resolved');
  let m: Awaited<ReturnType<typeof materializeRecords>>;
  try {
    m = await materializeRecords(ctx.records, {
      vault_id,
      as_of_seq,
      as_of_ms: asOfMs,
      attributes: binding.attributes,
      admissible: (subject) => gate.admits(vault_id, subject),
    });
  } catch (error) {
    if (error instanceof InvalidDerivation) throw new ExecutionRefused(error.code);
    throw error;
  }
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
  if (envelope.spec.kind === 'parse') return computeParse(ctx, envelope, envelopeHash, attempt, kMin);
  if (envelope.spec.kind !== 'compute') throw new ExecutionRefused('unsupported_task_class');
  const spec = envelope.spec;
  const program = spec.program;
  const replay_context = replayContextOf(envelope, envelopeHash);
  const gate = await ctx.consent.gateFor(envelope);
  let output: unknown;
  let contributors: Map<string, number>;
  let code_hash: string;
  let usage: SandboxUsage | undefined;
  let derived: DerivedFeatures[] | undefined;
  let materialized: Awaited<ReturnType<typeof materialize>>[];
  if (program.type === 'builtin') {
    materialized = await Promise.all(
      snapshots.map((s) => materialize(ctx, s.vault_id, s.as_of_seq, resolution, gate, envelope.admitted_at_ms)),
    );
    ({ output, contributors } = runBuiltinOnParts(
      program,
      spec.filter,
      materialized.map((m) => m.rows),
      { referenceMs: envelope.admitted_at_ms, kMin },
    ));
    code_hash = domainHash('scp/v1/builtin-program', program);
  } else {
    try {
      const source = checkProgramAllowed(
        program,
        envelope.targets.vault_ids,
        ctx.programApproval ?? (() => false),
        envelope.task_id,
      );
      materialized = await Promise.all(
        snapshots.map((s) => materialize(ctx, s.vault_id, s.as_of_seq, resolution, gate, envelope.admitted_at_ms)),
      );
      const rows = materialized.flatMap((m) => m.rows);
      const run = await runSandboxCompute(
        source,
        program,
        spec.filter,
        rows,
        { task_id: envelope.task_id, ...replay_context, now_ms: envelope.admitted_at_ms, k_min: kMin },
        ctx.sandboxLimits ?? DEFAULT_SANDBOX_LIMITS,
      );
      ({ output, contributors, usage, derived } = run);
    } catch (error) {
      if (error instanceof SandboxRejected) throw new ExecutionRefused(error.code);
      throw error;
    }
    code_hash = program.code_hash;
  }
  const records_scanned = materialized.reduce((n, m) => n + m.rows.length, 0);
  const derivedRecords = derived ? await derivedRecordsOf(ctx, envelope.task_id, materialized, derived) : undefined;
  const built = buildTranscript({
    task_id: envelope.task_id,
    attempt,
    task_class: 'compute',
    code_hash,
    replay_context,
    inputs: materialized.map((m) => m.input),
    output,
    resource_use: { records_scanned, fuel: usage?.fuel_used ?? 0, memory_bytes: usage?.memory_peak_bytes ?? 0 },
    details: {
      k_min: kMin,
      suppressed: typeof output === 'object' && output !== null && 'suppressed' in output,
      consent_scope: gate.scope,
      consent_as_of: CONSENT_AS_OF,
      records_admitted: records_scanned,
      ...(derivedRecords ? { derived_records: derivedRecords.count, derived_digest: derivedRecords.digest } : {}),
    },
  });
  return { output, contributors, ...built, records_scanned, parsed: undefined, derived: derivedRecords };
}

/**
 * The sealed records a deriving program's features become: one per subject, in the first target
 * Vault its rows came from, with a record id fixed by task, Vault and subject (a retried attempt
 * writes the same records, which the Vault keeps once) and the task id as a field (the link).
 * The transcript commits to them through a digest keyed by the node's signature over the task id:
 * a replay on this node reproduces it, while nobody else can test guessed feature values against it.
 */
async function derivedRecordsOf(
  ctx: ExecutionContext,
  task_id: string,
  materialized: readonly { rows: Row[]; input: { vault_id: string } }[],
  derived: readonly DerivedFeatures[],
) {
  const vaultOf = new Map<string, string>();
  for (const m of materialized)
    for (const r of m.rows) if (!vaultOf.has(r.subject)) vaultOf.set(r.subject, m.input.vault_id);
  const byVault = new Map<string, RecordInput[]>();
  for (const d of derived) {
    const vault_id = vaultOf.get(d.subject)!;
    const list = byVault.get(vault_id) ?? [];
    list.push({
      record_id: derivedRecordId(task_id, vault_id, d.subject),
      subject: d.subject,
      fields: { ...d.features, derived_from_task: task_id },
    });
    byVault.set(vault_id, list);
  }
  const key = await ctx.keyring.sign(ctx.keyName, digestBytes(domainHash('scp/v1/derived-features-key', { task_id })));
  const writes = [...byVault].map(([vault_id, records]) => ({ vault_id, records }));
  return { writes, count: derived.length, digest: domainHash('scp/v1/derived-features', { key, writes }) };
}

/** A Parse task: one document of one Vault; its subject is the data producer. */
async function computeParse(
  ctx: ExecutionContext,
  envelope: TaskEnvelope,
  envelopeHash: string,
  attempt: number,
  kMin: number,
) {
  if (!ctx.parse) throw new ExecutionRefused('parse_not_available');
  try {
    const gate = await ctx.consent.gateFor(envelope);
    const run = await runParseTask(ctx.parse, envelope, attempt, replayContextOf(envelope, envelopeHash), kMin, gate);
    return {
      output: run.output,
      contributors: new Map([[run.parsed.record.subject, 1]]),
      transcript: run.transcript,
      transcript_hash: transcriptHash(run.transcript),
      output_hash: run.transcript.output_hash,
      records_scanned: 1,
      parsed: run.parsed,
      derived: undefined,
    };
  } catch (error) {
    if (error instanceof ParseTaskRefused) throw new ExecutionRefused(error.code);
    throw error;
  }
}

/** Executes a dispatched task and signs the receipt. */
export async function executeTask(ctx: ExecutionContext, req: ExecuteRequest): Promise<ExecuteReply> {
  const snapshots = await Promise.all(
    req.envelope.targets.vault_ids.map(async (vault_id) => ({
      vault_id,
      as_of_seq: await ctx.records.head(vault_id),
    })),
  );
  const honest = await computeOutput(
    ctx,
    req.envelope,
    req.envelope_hash,
    req.attempt,
    req.resolution,
    req.policy.k_min,
    snapshots,
  );
  const tampered = ctx.fault?.(req.envelope.task_id, req.attempt, honest.output);
  const run =
    tampered === undefined
      ? honest
      : {
          ...honest,
          output: tampered,
          output_hash: outputHash(tampered),
          transcript: { ...honest.transcript, output_hash: outputHash(tampered) },
        };
  // Derived features stay in the Vault as new sealed records, written before the receipt vouches for them.
  for (const w of run.derived?.writes ?? []) await ctx.records.insert(w.vault_id, w.records);
  if (run.parsed) {
    // The parsed attributes stay in the Vault: the full fields linked to the source document, and
    // the domain's attributes as a new record. Only commitments go into the reply.
    await ctx.parse?.store(run.parsed.vault_id, run.parsed.document, run.parsed.record);
  }
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

export type ReceiptFacts = Pick<
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
export async function signReceipt(
  ctx: ExecutionContext,
  req: ExecuteRequest,
  facts: ReceiptFacts,
): Promise<ExecutionReceipt> {
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
