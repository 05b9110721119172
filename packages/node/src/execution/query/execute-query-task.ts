/**
 * Executes a dispatched query on its aggregation node: runs the query, has the enclave seal the
 * transcript, and signs the receipt (vault operators credited by records read). The release
 * request travels beside the receipt so the reducer can charge the budget before anything is
 * released; on re-execution only the hashes are compared. The reply leaves at the end of its
 * release slot (`release-at-slot.ts`), so its timing class does not show suppressed groups.
 */
import type { Contribution, InputCommitment } from '@symphony/protocol';
import type { ExecuteReply, ExecuteRequest, ReexecuteReply } from '../../wire/enterprise-rpc.ts';
import { type ExecutionContext, signReceipt } from '../execute-task.ts';
import { sealTranscript } from '../transcript.ts';
import { type QueryRuntime, runQuery } from './query-runtime.ts';
import { DEFAULT_RELEASE_SLOT_MS, releaseAtSlot } from './release-at-slot.ts';

export function executeQueryTask(ctx: ExecutionContext, rt: QueryRuntime, req: ExecuteRequest): Promise<ExecuteReply> {
  // The reply (or refusal) leaves at the end of its release slot: suppression does not move it.
  return releaseAtSlot(rt.clock, rt.releaseSlotMs ?? DEFAULT_RELEASE_SLOT_MS, () => runAndSign(ctx, rt, req));
}

async function runAndSign(ctx: ExecutionContext, rt: QueryRuntime, req: ExecuteRequest): Promise<ExecuteReply> {
  const run = await runQuery(rt, req);
  const sealed = await sealTranscript(ctx.tee, run.transcript);
  const contributions: Contribution[] = [
    ...run.producers.map((account) => ({ account, role: 'data_producer' as const, units: 1 })),
  ];
  contributions.push(
    ...[...run.operators]
      .filter(([, units]) => units > 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([account, units]) => ({ account, role: 'vault_operator' as const, units })),
  );
  const receipt = await signReceipt(ctx, req, {
    replay_context: run.transcript.replay_context,
    input_commitments: run.transcript.inputs.map((i) => i.records_root),
    code_hash: run.transcript.code_hash,
    status: 'succeeded',
    output_hash: run.output_hash,
    transcript_hash: sealed.transcript_hash,
    usage: { records_scanned: run.records_scanned, fuel: 0, rounds: 0 },
    contributions,
    attestation: {
      provider: sealed.signed.evidence.provider,
      measurement: sealed.signed.evidence.measurement,
      evidence_hash: sealed.evidence_hash,
    },
  });
  return {
    receipt,
    output: run.output,
    transcript: sealed.signed,
    aggregation: run.aggregation,
    ...(run.release ? { release: run.release } : {}),
  };
}

/** Replays a query over the pinned snapshots (same pseudonyms, same seed): the verifier compares hashes. */
export async function reexecuteQuery(
  rt: QueryRuntime,
  req: Pick<ExecuteRequest, 'envelope' | 'envelope_hash' | 'attempt' | 'policy'>,
  pinned: readonly InputCommitment[],
  sealed: ReexecuteReply['sealed'],
): Promise<ReexecuteReply> {
  const run = await runQuery(rt, req, pinned);
  return { output_hash: run.output_hash, transcript_hash: run.transcript_hash, sealed };
}
