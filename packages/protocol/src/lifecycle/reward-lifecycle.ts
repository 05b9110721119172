/** The SCP reward lifecycle (economics, Reward Lifecycle) of one reward record, with the transitions SCS allows. */
import { defineMachine, type StateMachine } from './state-machine.ts';

/** Reward states, in the exact SCP order. */
export const REWARD_STATES = ['pending_input', 'eligible', 'calculated', 'finalized', 'blocked', 'adjusted'] as const;
/** One reward state. */
export type RewardState = (typeof REWARD_STATES)[number];

/**
 * The reward lifecycle of one reward record. A record starts `pending_input`, or `adjusted` when it is
 * a correction created after finality (never an edit of a finalized record). `finalized` and
 * `adjusted` are terminal. `blocked` is not terminal here: the reducer freezes it at finality.
 */
export const rewardLifecycle: StateMachine<RewardState> = defineMachine({
  name: 'reward',
  states: REWARD_STATES,
  initial: ['pending_input', 'adjusted'],
  terminal: ['finalized', 'adjusted'],
  transitions: [
    {
      from: 'pending_input',
      to: 'eligible',
      reason: 'An accepted verification and a candidate settlement context exist for the contribution.',
    },
    {
      from: 'pending_input',
      to: 'blocked',
      reason: 'A penalty, a suspension or stake non-compliance bars the contributor.',
    },
    {
      from: 'eligible',
      to: 'calculated',
      reason: 'The reward math computed the amount under the epoch `policy_version`.',
    },
    {
      from: 'eligible',
      to: 'blocked',
      reason: 'A penalty, a suspension or stake non-compliance bars the contributor before calculation.',
    },
    {
      from: 'calculated',
      to: 'finalized',
      reason: 'The settlement of the epoch was finalized.',
    },
    {
      from: 'calculated',
      to: 'blocked',
      reason: 'A penalty, a suspension or stake non-compliance bars the contributor before finality.',
    },
    {
      from: 'calculated',
      to: 'eligible',
      reason: 'The candidate was rebuilt after a challenge, so the amount must be recalculated.',
    },
    {
      from: 'blocked',
      to: 'eligible',
      reason: 'The block was lifted before finality, for example because a challenge was not confirmed.',
    },
  ],
});
