/** The SCP challenge lifecycle (core spec, Challenge Lifecycle) with the transitions SCS allows. */
import { defineMachine, type StateMachine } from './state-machine.ts';

/** Challenge states, in the exact SCP order. */
export const CHALLENGE_STATES = [
  'opened',
  'reviewing',
  'confirmed',
  'not_confirmed',
  'approved',
  'closed_without_penalty',
  'penalty_recorded',
  'reopened',
] as const;
/** One challenge state. */
export type ChallengeState = (typeof CHALLENGE_STATES)[number];

/**
 * The challenge lifecycle. A challenge starts `opened`; `penalty_recorded` is its only terminal state.
 * `closed_without_penalty` keeps its edge to `reopened` here: it becomes final only when the challenge
 * window passes, which the reducer enforces (the machine has no clock).
 */
export const challengeLifecycle: StateMachine<ChallengeState> = defineMachine({
  name: 'challenge',
  states: CHALLENGE_STATES,
  initial: ['opened'],
  terminal: ['penalty_recorded'],
  transitions: [
    {
      from: 'opened',
      to: 'reviewing',
      reason: 'An adjudicator takes up the challenge and replays its linked evidence.',
    },
    {
      from: 'reviewing',
      to: 'confirmed',
      reason: 'Replaying the evidence upheld the challenge.',
    },
    {
      from: 'reviewing',
      to: 'not_confirmed',
      reason: 'Replaying the evidence did not uphold the challenge.',
    },
    {
      from: 'confirmed',
      to: 'approved',
      reason: 'Governance approved the confirmed challenge, as the policy in force requires for this penalty.',
    },
    {
      from: 'confirmed',
      to: 'penalty_recorded',
      reason: 'The policy in force requires no governance approval, so the penalty is recorded directly.',
    },
    {
      from: 'confirmed',
      to: 'closed_without_penalty',
      reason: 'Governance declined to approve the confirmed challenge.',
    },
    {
      from: 'approved',
      to: 'penalty_recorded',
      reason: 'The approved penalty is recorded.',
    },
    {
      from: 'not_confirmed',
      to: 'closed_without_penalty',
      reason: 'A challenge that was not confirmed closes without penalty.',
    },
    {
      from: 'closed_without_penalty',
      to: 'reopened',
      reason: 'New evidence arrived inside the challenge window.',
    },
    {
      from: 'reopened',
      to: 'reviewing',
      reason: 'The reopened challenge is reviewed again with the new evidence.',
    },
  ],
});
