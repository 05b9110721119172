/**
 * Lifecycle moves on state objects. Every state change in the reducer goes through the core's
 * transition tables; steps check moves with `can*` before they mutate anything.
 */
import { type ChallengeState, challengeLifecycle } from '../lifecycle/challenge-lifecycle.ts';
import { type RewardState, rewardLifecycle } from '../lifecycle/reward-lifecycle.ts';
import { type SettlementState, settlementLifecycle } from '../lifecycle/settlement-lifecycle.ts';
import { canTransition, type StateMachine } from '../lifecycle/state-machine.ts';
import { type TaskState, taskLifecycle } from '../lifecycle/task-lifecycle.ts';
import type { RewardRecord } from '../objects/reward-record.ts';
import { type Refusal, refuse } from './refusal.ts';
import type { ChallengeRecord, SettlementRecord, StateStep, TaskRecord } from './state.ts';
import type { LogPosition } from './step.ts';

function check<S extends string>(machine: StateMachine<S>, what: string, from: S, to: S): Refusal | undefined {
  return canTransition(machine, from, to)
    ? undefined
    : refuse('illegal_transition', `${machine.name} ${what} cannot move from ${from} to ${to}`);
}

function move<S extends string>(
  machine: StateMachine<S>,
  target: { state: S; history?: StateStep<S>[] },
  to: S,
  at: LogPosition,
): void {
  if (!canTransition(machine, target.state, to)) {
    // Steps check before they mutate; reaching this is a bug in a step, not bad input.
    throw new Error(`reducer bug: ${machine.name} ${target.state} -> ${to} was not checked`);
  }
  target.state = to;
  target.history?.push({ state: to, seq: at.seq, time_ms: at.time_ms });
}

export const checkTaskMove = (t: TaskRecord, to: TaskState) => check(taskLifecycle, t.task_id, t.state, to);
export const moveTask = (t: TaskRecord, to: TaskState, at: LogPosition) => move(taskLifecycle, t, to, at);

export const checkChallengeMove = (c: ChallengeRecord, to: ChallengeState) =>
  check(challengeLifecycle, c.challenge.challenge_id, c.state, to);
export const moveChallenge = (c: ChallengeRecord, to: ChallengeState, at: LogPosition) =>
  move(challengeLifecycle, c, to, at);

export const checkSettlementMove = (s: SettlementRecord, to: SettlementState) =>
  check(settlementLifecycle, `epoch ${s.epoch_id}`, s.state, to);
export const moveSettlement = (s: SettlementRecord, to: SettlementState, at: LogPosition) =>
  move(settlementLifecycle, s, to, at);

export const canMoveReward = (r: RewardRecord, to: RewardState) => canTransition(rewardLifecycle, r.state, to);
export function moveReward(r: RewardRecord, to: RewardState, at: LogPosition): void {
  move(rewardLifecycle, r as { state: RewardState }, to, at);
}

/**
 * Checks that a task exists, is in one of the states this event acts on, and may move to `to`.
 * Narrower than the lifecycle alone: e.g. only a task in `resolving` can fail resolution.
 */
export function checkTaskEvent(
  tasks: Readonly<Record<string, TaskRecord>>,
  task_id: string,
  from: readonly TaskState[],
  to: TaskState,
): Refusal | undefined {
  const t = tasks[task_id];
  if (!t) return refuse('unknown_task', `task ${task_id} does not exist`);
  if (!from.includes(t.state))
    return refuse('illegal_transition', `task ${task_id} is ${t.state}, not ${from.join(' or ')}`);
  return checkTaskMove(t, to);
}
