/** The SCP settlement lifecycle (core spec, Settlement Lifecycle) of one epoch, with the transitions SCS allows. */
import { defineMachine, type StateMachine } from './state-machine.ts';

/** Settlement states, in the exact SCP order. */
export const SETTLEMENT_STATES = [
  'collecting',
  'verifying_inputs',
  'candidate_ready',
  'finalizing',
  'finalized',
  'failed',
] as const;
/** One settlement state. */
export type SettlementState = (typeof SETTLEMENT_STATES)[number];

/**
 * The settlement lifecycle of one epoch. It starts `collecting` and ends `finalized` (quorum
 * certificate: 2 matching master signatures of 3). `failed` is not terminal: governance may order a
 * recovery that retries the settlement.
 */
export const settlementLifecycle: StateMachine<SettlementState> = defineMachine({
  name: 'settlement',
  states: SETTLEMENT_STATES,
  initial: ['collecting'],
  terminal: ['finalized'],
  transitions: [
    {
      from: 'collecting',
      to: 'verifying_inputs',
      reason: 'The epoch closed, so its inputs are fixed and checked.',
    },
    {
      from: 'verifying_inputs',
      to: 'candidate_ready',
      reason: 'Every input is verified and no challenge is open, so the candidate settlement root is built.',
    },
    {
      from: 'candidate_ready',
      to: 'finalizing',
      reason: 'The first master signature on the candidate root was recorded.',
    },
    {
      from: 'candidate_ready',
      to: 'verifying_inputs',
      reason: 'A challenge opened in candidate context withdraws the candidate until it is adjudicated.',
    },
    {
      from: 'finalizing',
      to: 'finalized',
      reason: 'Two matching master signatures of three form the quorum certificate.',
    },
    {
      from: 'finalizing',
      to: 'verifying_inputs',
      reason: 'A challenge opened before quorum withdraws the candidate until it is adjudicated.',
    },
    {
      from: 'collecting',
      to: 'failed',
      reason: 'The settlement deadline passed before the epoch inputs could be collected.',
    },
    {
      from: 'verifying_inputs',
      to: 'failed',
      reason: 'The settlement deadline passed before the inputs were verified.',
    },
    {
      from: 'candidate_ready',
      to: 'failed',
      reason: 'The masters cannot agree on a candidate root or the settlement deadline passed.',
    },
    {
      from: 'finalizing',
      to: 'failed',
      reason: 'The masters cannot reach a quorum on one root or the settlement deadline passed.',
    },
    {
      from: 'failed',
      to: 'verifying_inputs',
      reason: 'A governance-ordered recovery retries the settlement.',
    },
  ],
});
