import { parseAmount, toSignedAmount } from '../../encoding/amount.ts';
import { SCHEMA_VERSION } from '../../objects/common.ts';
import { policyInForce } from '../../params/resolve-parameters.ts';
import { operatorOf, settleBond, slashStake } from '../challenge-economics.ts';
import { checkChallengeMove, moveChallenge, moveTask } from '../moves.ts';
import { refuse } from '../refusal.ts';
import { rewardId, rewardsOfTask, unblockRewards } from '../reward-records.ts';
import { tryBuildCandidate } from '../settlement-flow.ts';
import type { ChallengeRecord, ProtocolState } from '../state.ts';
import type { LogPosition, Step } from '../step.ts';
import { acceptTask } from './record-verification.ts';

/**
 * Ends a challenge. A penalty slashes the accused operator's stake (challenger rewarded from it),
 * returns the bond and voids the challenged task (or, after finality, appends negative `adjusted`
 * reward records); no penalty settles the bond per policy, restores the task and lifts its reward
 * block. Either way the epoch's candidate is rebuilt once nothing else is open against it.
 */
export const closeChallenge: Step<'challenge_closed'> = {
  check(state, e, at) {
    const c = state.challenges[e.challenge_id];
    if (!c) return refuse('unknown_challenge', `${e.challenge_id} does not exist`);
    const refusal = checkChallengeMove(c, e.outcome);
    if (refusal) return refusal;
    const requiresApproval = policyInForce(state, at.epoch_id)?.challenge_requires_approval ?? false;
    if (e.outcome === 'penalty_recorded' && c.state === 'confirmed' && requiresApproval) {
      return refuse('approval_required', 'the policy requires governance approval before a penalty');
    }
    if (e.outcome === 'closed_without_penalty' && c.state === 'confirmed' && !requiresApproval) {
      return refuse('approval_not_required', 'a confirmed challenge ends in a penalty when no approval is required');
    }
    return undefined;
  },
  run(state, e, at) {
    const c = state.challenges[e.challenge_id]!;
    moveChallenge(c, e.outcome, at);
    const policy = policyInForce(state, at.epoch_id);
    const penalty = e.outcome === 'penalty_recorded';
    const accused = operatorOf(state, c.accused);
    if (penalty && accused) slashStake(state, accused, c.challenge.challenger, c.challenge.challenge_id, policy, at);
    settleBond(state, c, penalty, policy, at);
    if (c.challenge.target.kind === 'task') {
      if (e.outcome === 'penalty_recorded') penalize(state, c, at);
      else restore(state, c, at);
    }
    if (c.epoch_id !== undefined && !c.opened_in_finalized_context) tryBuildCandidate(state, c.epoch_id, at);
  },
};

function penalize(state: ProtocolState, c: ChallengeRecord, at: LogPosition): void {
  const task_id = c.challenge.target.kind === 'task' ? c.challenge.target.task_id : '';
  const t = state.tasks[task_id]!;
  if (!c.opened_in_finalized_context) {
    moveTask(t, 'rejected', at);
    t.reason_code = 'challenge_upheld';
    for (const r of rewardsOfTask(state, task_id)) if (r.state === 'blocked') r.blocked_reason = 'penalty';
    return;
  }
  for (const r of rewardsOfTask(state, task_id)) {
    if (r.state !== 'finalized' || parseAmount(r.amount ?? '0') === 0n) continue;
    const id = rewardId(r.epoch_id, task_id, r.account, r.role, c.challenge.challenge_id);
    state.rewards[id] = {
      schema_version: SCHEMA_VERSION,
      reward_id: id,
      epoch_id: r.epoch_id,
      task_id,
      account: r.account,
      role: r.role,
      units: r.units,
      policy_version: r.policy_version,
      state: 'adjusted',
      amount: '0',
      adjusts: r.reward_id,
      delta: toSignedAmount(-parseAmount(r.amount ?? '0')),
    };
  }
}

function restore(state: ProtocolState, c: ChallengeRecord, at: LogPosition): void {
  if (c.opened_in_finalized_context || c.challenge.target.kind !== 'task') return;
  const t = state.tasks[c.challenge.target.task_id]!;
  if (t.state !== 'challenged') return;
  if (c.task_state_before === 'awaiting_settlement') {
    moveTask(t, 'awaiting_settlement', at);
    unblockRewards(state, t.task_id, at);
  } else {
    // A verifier's dispute before acceptance: the task is accepted now, in the current epoch.
    acceptTask(state, t.task_id, at);
  }
}
