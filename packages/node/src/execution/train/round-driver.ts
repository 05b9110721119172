/**
 * Drives a Train task's rounds over the bus: opens an aggregation session on the aggregator node,
 * asks every target Vault's enclave for sealed statistics, has the aggregation enclave release the
 * standardization and the initial model, then per round: announces the round (a child sub-task),
 * has the aggregation enclave hand out the global model, collects each Vault's signed
 * received-model hash and sealed update, aborts on any hash that differs from the round's model
 * (no model-inconsistency attack) or when fewer Vaults than the quorum answered, and has the
 * aggregation enclave average the updates; then the held-out evaluation. The coordinating master
 * drives it with hooks that append round events to the log; a verifier's re-execution drives it
 * without hooks over the same pinned snapshots.
 */
import { type EventOf, roundTaskId } from '@symphony/protocol';
import type { Bus } from '../../ports/bus.ts';
import { hasErrorCode, PortError } from '../../ports/errors.ts';
import type { ExecuteReply, ExecuteRequest } from '../../wire/enterprise-rpc.ts';
import type { ReleasedEvaluation } from './evaluation.ts';
import type {
  AggregateReply,
  AggregatorKey,
  DistributeReply,
  EvaluateReply,
  StandardizeReply,
  StatsReply,
  TrainAggregateRequest,
  TrainReply,
  TrainVaultRequest,
} from './train-rpc.ts';
import { trainSubjects } from './train-rpc.ts';

type Payload<
  T extends 'train_round_started' | 'train_round_completed' | 'train_round_aborted' | 'train_privacy_charged',
> = Omit<EventOf<T>, 'type'>;

/** What the coordinating master does at each round boundary (append the event to the log). */
export type RoundHooks = {
  started(e: Payload<'train_round_started'>): Promise<void>;
  completed(e: Payload<'train_round_completed'>): Promise<void>;
  aborted(e: Payload<'train_round_aborted'>): Promise<void>;
  /**
   * DP tasks, before round 1: charge the declared spend to the subjects' `model_training` budgets
   * (append `train_privacy_charged`); false when the log refused it (the task is then rejected).
   */
  charge?(e: Payload<'train_privacy_charged'>): Promise<boolean>;
};

/** Progress for a display: after each completed round. */
export type RoundProgress = { round: number; rounds: number; model_hash: string; evaluation?: ReleasedEvaluation };

export type DriveOptions = {
  bus: Bus;
  request: ExecuteRequest;
  aggregatorNode: string;
  /** The node hosting each target Vault. */
  vaultNodes: Readonly<Record<string, string>>;
  /** Pinned snapshots (a re-execution reads the ones the transcript names); absent: each Vault's head. */
  snapshots?: Readonly<Record<string, number>>;
  hooks?: RoundHooks;
  /** Timeout of one call (default 60 s). */
  timeoutMs?: number;
  /** False for a re-execution (the aggregator keeps no evidence). */
  store?: boolean;
  onError?: (what: string, error: unknown) => void;
};

const failureOf = (error: unknown) => (hasErrorCode(error) ? error.code : 'train_failed');

/** Runs the whole training; resolves with the receipt (succeeded, or failed with its code). */
export async function driveTraining(o: DriveOptions): Promise<ExecuteReply> {
  const { envelope, envelope_hash, attempt } = o.request;
  if (envelope.spec.kind !== 'train') throw new Error('driveTraining runs Train tasks');
  const spec = envelope.spec;
  const timeoutMs = o.timeoutMs ?? 60_000;
  const aggregator = trainSubjects(o.aggregatorNode).aggregate;
  const agg = <R>(req: TrainAggregateRequest) => o.bus.request(aggregator, req, { timeoutMs }) as Promise<R>;
  const fail = (failure_code: string) => agg<ExecuteReply>({ op: 'fail', request: o.request, failure_code });
  const vaults = [...envelope.targets.vault_ids].sort();
  const quorum = spec.min_vaults_per_round;
  const pinned: Record<string, number> = { ...o.snapshots };

  const key = await agg<AggregatorKey>({ op: 'open', envelope, envelope_hash, attempt, k_min: o.request.policy.k_min });
  const ask = <R>(vault_id: string, req: Record<string, unknown> & { op: TrainVaultRequest['op'] }) =>
    o.bus.request(
      trainSubjects(o.vaultNodes[vault_id]!).vault,
      {
        ...req,
        envelope,
        envelope_hash,
        attempt,
        resolution: o.request.resolution,
        vault_id,
        aggregator: key,
        ...(pinned[vault_id] !== undefined ? { as_of_seq: pinned[vault_id] } : {}),
      },
      { timeoutMs },
    ) as Promise<R>;
  const settled = async <R>(ids: string[], call: (v: string) => Promise<R>) => {
    const results = await Promise.allSettled(ids.map(call));
    const ok: R[] = [];
    const dropped: string[] = [];
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') ok.push(r.value);
      else {
        dropped.push(ids[i]!);
        o.onError?.(`train ${envelope.task_id}: ${ids[i]}`, r.reason);
      }
    });
    return { ok, dropped };
  };
  try {
    const stats = await settled(vaults, (v) => ask<StatsReply>(v, { op: 'stats' }));
    if (stats.ok.length < quorum) return await fail('quorum_not_met');
    for (const s of stats.ok) pinned[s.vault_id] = s.input.as_of_seq;
    let started: StandardizeReply;
    try {
      started = await agg<StandardizeReply>({ op: 'standardize', session_id: key.session_id, parts: stats.ok });
    } catch (error) {
      return await fail(failureOf(error));
    }
    if (spec.dp && !started.charge) return await fail('privacy_charge_missing');
    // The budget is charged before any round runs: a refusal releases no model, update or aggregate.
    if (
      started.charge &&
      o.hooks?.charge &&
      !(await o.hooks.charge({ task_id: envelope.task_id, attempt, ...started.charge }))
    )
      throw new PortError('privacy_budget_exhausted', `the subjects of ${envelope.task_id} lack model_training budget`);
    const participants = stats.ok.map((s) => s.vault_id).sort();
    let model = started.model;
    let model_hash = started.model_hash;
    const roundsSeen: { participants: string[]; dropped: string[] }[] = [];
    for (let round = 1; round <= spec.hyperparameters.rounds; round++) {
      const round_task_id = roundTaskId(envelope.task_id, round);
      const ids = { task_id: envelope.task_id, attempt, round, round_task_id };
      await o.hooks?.started({
        ...ids,
        aggregator_node: o.aggregatorNode,
        model_hash,
        standardization_hash: started.standardization_hash,
        participants,
        quorum,
      });
      const handed = await agg<DistributeReply>({
        op: 'distribute',
        session_id: key.session_id,
        round,
        vault_ids: participants,
      });
      const modelOf = new Map(handed.models.map((m) => [m.vault_id, m.model]));
      const trained = await settled(participants, (v) =>
        ask<TrainReply>(v, {
          op: 'train',
          round,
          round_task_id,
          model: modelOf.get(v)!,
          standardization: started.standardization,
        }),
      );
      const mismatch = trained.ok.find((t) => t.received.model_hash !== model_hash);
      if (mismatch) {
        await o.hooks?.aborted({ ...ids, reason_code: 'model_mismatch', vault_id: mismatch.received.vault_id });
        return await fail('model_inconsistency');
      }
      if (trained.ok.length < quorum) {
        await o.hooks?.aborted({ ...ids, reason_code: 'quorum_not_met' });
        return await fail('quorum_not_met');
      }
      let next: AggregateReply;
      try {
        next = await agg<AggregateReply>({
          op: 'aggregate',
          session_id: key.session_id,
          round,
          round_task_id,
          parts: trained.ok,
        });
      } catch (error) {
        const code = failureOf(error);
        await o.hooks?.aborted({ ...ids, reason_code: code });
        return await fail(code === 'model_mismatch' ? 'model_inconsistency' : code);
      }
      let evaluation: ReleasedEvaluation | undefined;
      if ((spec.evaluation?.holdout_bps ?? 0) > 0) {
        const evaluated = await settled(participants, (v) =>
          ask<EvaluateReply>(v, { op: 'evaluate', round, model: next.model, standardization: started.standardization }),
        );
        evaluation = await agg<ReleasedEvaluation>({
          op: 'evaluate',
          session_id: key.session_id,
          round,
          parts: evaluated.ok,
        });
      }
      const contributed = trained.ok.map((t) => t.received.vault_id);
      const dropped = participants.filter((v) => !contributed.includes(v));
      roundsSeen.push({ participants, dropped });
      await o.hooks?.completed({
        ...ids,
        received: trained.ok.map((t) => ({ ...t.received })),
        updates: next.updates,
        dropped,
        model_hash: next.model_hash,
        ...(evaluation ? { evaluation } : {}),
      });
      model = next.model;
      model_hash = next.model_hash;
    }
    void model;
    return await agg<ExecuteReply>({
      op: 'finish',
      session_id: key.session_id,
      request: o.request,
      rounds: roundsSeen,
      ...(o.store === false ? { store: false } : {}),
    });
  } finally {
    await agg({ op: 'close', session_id: key.session_id }).catch(() => {});
  }
}
