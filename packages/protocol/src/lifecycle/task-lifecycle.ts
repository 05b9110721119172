/** The SCP task lifecycle (core spec, Task Lifecycle) with the transitions SCS allows. */
import { defineMachine, type StateMachine } from './state-machine.ts';

/** Task states, in the exact SCP order. */
export const TASK_STATES = [
  'accepted',
  'resolving',
  'dispatched',
  'verifying',
  'awaiting_settlement',
  'completed',
  'challenged',
  'rejected',
  'timed_out',
] as const;
/** One task state. */
export type TaskState = (typeof TASK_STATES)[number];

/**
 * The task lifecycle. A task starts `accepted` (admission produced its envelope) and ends
 * `completed`, `rejected` or `timed_out`. `completed` is terminal because finalized accounting is
 * append-only: a challenge confirmed after finality yields `adjusted` reward records, not a task move.
 * A retry is a new task.
 */
export const taskLifecycle: StateMachine<TaskState> = defineMachine({
  name: 'task',
  states: TASK_STATES,
  initial: ['accepted'],
  terminal: ['completed', 'rejected', 'timed_out'],
  transitions: [
    {
      from: 'accepted',
      to: 'resolving',
      reason: 'The semantic layer takes up the admitted task to resolve its meaning under its `semantic_version`.',
    },
    {
      from: 'accepted',
      to: 'timed_out',
      reason: 'The task deadline passed before the semantic layer took the task up.',
    },
    {
      from: 'resolving',
      to: 'dispatched',
      reason:
        'The semantic resolution was recorded and the work was routed to the enterprise node hosting the target Vaults.',
    },
    {
      from: 'resolving',
      to: 'rejected',
      reason:
        'Semantic resolution failed: an attribute or Vault mapping is unknown or incompatible under the task `semantic_version`.',
    },
    {
      from: 'resolving',
      to: 'timed_out',
      reason: 'The task deadline passed before semantic resolution finished.',
    },
    {
      from: 'dispatched',
      to: 'verifying',
      reason: 'A signed execution receipt arrived from the executor.',
    },
    {
      from: 'dispatched',
      to: 'rejected',
      reason:
        'The executor honestly reported that it cannot execute the task (bad input, resource limit); this is not fraud.',
    },
    {
      from: 'dispatched',
      to: 'timed_out',
      reason: 'The task deadline passed before a signed execution receipt arrived.',
    },
    {
      from: 'verifying',
      to: 'awaiting_settlement',
      reason: 'Verification accepted the result, which now waits for the settlement of its epoch.',
    },
    {
      from: 'verifying',
      to: 'rejected',
      reason: 'Verification rejected the result.',
    },
    {
      from: 'verifying',
      to: 'challenged',
      reason: 'The verifier decided `challenged`: the result is disputed and goes to adjudication.',
    },
    {
      from: 'verifying',
      to: 'timed_out',
      reason: 'The task deadline passed before a verification decision was published.',
    },
    {
      from: 'awaiting_settlement',
      to: 'completed',
      reason: 'The settlement of the task epoch was finalized.',
    },
    {
      from: 'awaiting_settlement',
      to: 'challenged',
      reason:
        'A challenge was opened (or reopened) against the task while its epoch settlement is in candidate context.',
    },
    {
      from: 'challenged',
      to: 'awaiting_settlement',
      reason:
        'The challenge was not confirmed or was closed without penalty, so the result waits for settlement again.',
    },
    {
      from: 'challenged',
      to: 'rejected',
      reason: 'A penalty was recorded against the result, which is void.',
    },
  ],
});
