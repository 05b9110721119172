/**
 * Where a challenge lands. In candidate context (the epoch not finalized) it freezes its target:
 * the task becomes `challenged`, its rewards are blocked and the epoch's candidate is withdrawn.
 * Against finalized work, inside the challenge window, it changes nothing until a penalty, which
 * then appends `adjusted` reward records: finalized history is never edited.
 */
import type { Challenge } from '../objects/challenge.ts';
import { policyInForce } from '../params/resolve-parameters.ts';
import { moveTask } from './moves.ts';
import { type Refusal, refuse } from './refusal.ts';
import { blockRewards } from './reward-records.ts';
import { withdrawCandidate } from './settlement-flow.ts';
import type { ChallengeRecord, ProtocolState } from './state.ts';
import type { LogPosition } from './step.ts';

export type ChallengeContext = { epoch_id: number; finalized: boolean };

function finalizedAt(state: ProtocolState, epoch_id: number): number | undefined {
  return state.settlements[epoch_id]?.history.find((h) => h.state === 'finalized')?.time_ms;
}

function insideWindow(state: ProtocolState, epoch_id: number, time_ms: number): boolean {
  const at = finalizedAt(state, epoch_id);
  const policy = policyInForce(state, epoch_id);
  return at !== undefined && policy !== undefined && time_ms <= at + policy.challenge_window_ms;
}

/** Checks that the target can be challenged now; returns the epoch it concerns. */
export function challengeContext(
  state: ProtocolState,
  target: Challenge['target'],
  at: LogPosition,
): ChallengeContext | Refusal {
  if (target.kind === 'task') {
    const t = state.tasks[target.task_id];
    if (!t) return refuse('unknown_task', `task ${target.task_id} does not exist`);
    if (t.state === 'awaiting_settlement' && t.settle_epoch !== undefined)
      return { epoch_id: t.settle_epoch, finalized: false };
    if (t.state === 'completed' && t.settle_epoch !== undefined) {
      return insideWindow(state, t.settle_epoch, at.time_ms)
        ? { epoch_id: t.settle_epoch, finalized: true }
        : refuse('challenge_window_closed', `the challenge window of epoch ${t.settle_epoch} has closed`);
    }
    return refuse('task_not_challengeable', `task ${t.task_id} is ${t.state}: only verified work can be challenged`);
  }
  const s = state.settlements[target.epoch_id];
  if (!s) return refuse('unknown_epoch', `epoch ${target.epoch_id} has no settlement`);
  if (s.state === 'verifying_inputs' || s.state === 'candidate_ready' || s.state === 'finalizing') {
    return { epoch_id: target.epoch_id, finalized: false };
  }
  if (s.state === 'finalized') {
    return insideWindow(state, target.epoch_id, at.time_ms)
      ? { epoch_id: target.epoch_id, finalized: true }
      : refuse('challenge_window_closed', `the challenge window of epoch ${target.epoch_id} has closed`);
  }
  return refuse('settlement_not_challengeable', `epoch ${target.epoch_id} settlement is ${s.state}`);
}

/** Freezes the target of a challenge in candidate context. */
export function engageTarget(state: ProtocolState, c: ChallengeRecord, at: LogPosition): void {
  if (c.opened_in_finalized_context) return;
  const target = c.challenge.target;
  if (target.kind === 'task') {
    const t = state.tasks[target.task_id]!;
    c.task_state_before = t.state;
    moveTask(t, 'challenged', at);
    blockRewards(state, t.task_id, 'challenged', at);
  }
  const s = state.settlements[c.epoch_id ?? 0];
  if (s) withdrawCandidate(state, s, at);
}
