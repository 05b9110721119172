/**
 * The coordinating master's part in a Train task: it drives the rounds (see
 * `execution/train/round-driver.ts`) and appends each round's events to the log. Appends are
 * idempotent across a restart: a round the log already holds with the same model hashes is not
 * appended again, and a driver that finds the log disagreeing with a deterministic re-run stops.
 */
import type { TaskRecord } from '@symphony/protocol';
import { aggregatorNodeOf } from '../execution/train/enclave-keys.ts';
import { driveTraining, type RoundHooks } from '../execution/train/round-driver.ts';
import type { Bus } from '../ports/bus.ts';
import { PortError } from '../ports/errors.ts';
import type { ExecuteReply, ExecuteRequest } from '../wire/enterprise-rpc.ts';
import type { LogWriter } from './log-writer.ts';
import type { StateFollower } from './state-follower.ts';

export type TrainRoundsOptions = {
  follower: StateFollower;
  writer: LogWriter;
  bus: Bus;
  timeoutMs: number;
  onError?: (what: string, error: unknown) => void;
};

/** Runs a dispatched Train task's rounds, appending round events; resolves with the final reply. */
export async function runTrainRounds(
  o: TrainRoundsOptions,
  t: TaskRecord,
  request: ExecuteRequest,
): Promise<ExecuteReply> {
  const state = o.follower.state;
  const aggregatorNode = aggregatorNodeOf(state, request.envelope);
  if (!aggregatorNode) throw new PortError('unknown_vault', 'the task has no registered target Vault');
  const vaultNodes: Record<string, string> = {};
  for (const a of t.assignments ?? []) vaultNodes[a.vault_id] = a.node_id;
  const round = (id: string) => o.follower.state.train_rounds?.[id];
  const append = async (event: Parameters<LogWriter['append']>[0]) => {
    const result = await o.writer.append(event);
    if (result.kind !== 'applied') throw new PortError(result.refusal.code, result.refusal.message);
  };
  const hooks: RoundHooks = {
    async started(e) {
      const r = round(e.round_task_id);
      if (r && r.attempt === e.attempt && r.start_model_hash === e.model_hash) return;
      await append({ type: 'train_round_started', ...e });
    },
    async completed(e) {
      const r = round(e.round_task_id);
      if (r?.state === 'completed' && r.attempt === e.attempt && r.model_hash === e.model_hash) return;
      await append({ type: 'train_round_completed', ...e });
    },
    async charge(e) {
      const decided = () => o.follower.state.tasks[e.task_id]?.release;
      if (decided()?.attempt !== e.attempt) {
        const result = await o.writer.append({ type: 'train_privacy_charged', ...e });
        if (result.kind !== 'applied' && decided()?.attempt !== e.attempt)
          throw new PortError(result.refusal.code, result.refusal.message);
      }
      return decided()?.attempt === e.attempt && decided()?.outcome === 'granted';
    },
    async aborted(e) {
      const r = round(e.round_task_id);
      if (r?.state === 'aborted' && r.attempt === e.attempt) return;
      await append({ type: 'train_round_aborted', ...e });
    },
  };
  return driveTraining({
    bus: o.bus,
    request,
    aggregatorNode,
    vaultNodes,
    hooks,
    timeoutMs: o.timeoutMs,
    ...(o.onError ? { onError: o.onError } : {}),
  });
}
