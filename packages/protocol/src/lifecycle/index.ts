/** The four SCP lifecycles as data, the transition functions over them and their markdown rendering. */
import { challengeLifecycle } from './challenge-lifecycle.ts';
import { rewardLifecycle } from './reward-lifecycle.ts';
import { settlementLifecycle } from './settlement-lifecycle.ts';
import { taskLifecycle } from './task-lifecycle.ts';

export { CHALLENGE_STATES, type ChallengeState, challengeLifecycle } from './challenge-lifecycle.ts';
export {
  LIFECYCLES_DOCUMENT_HEADING,
  renderLifecycleMarkdown,
  renderLifecyclesDocument,
} from './lifecycle-table.ts';
export { REWARD_STATES, type RewardState, rewardLifecycle } from './reward-lifecycle.ts';
export { SETTLEMENT_STATES, type SettlementState, settlementLifecycle } from './settlement-lifecycle.ts';
export {
  canTransition,
  defineMachine,
  isInitial,
  isState,
  isTerminal,
  MACHINE_NAMES,
  MachineDefinitionError,
  type MachineName,
  machineProblems,
  nextStates,
  type StateMachine,
  TRANSITION_ERROR_CODES,
  type Transition,
  type TransitionErrorCode,
  type TransitionOutcome,
  transition,
} from './state-machine.ts';
export { TASK_STATES, type TaskState, taskLifecycle } from './task-lifecycle.ts';

/** The four SCP lifecycles by name, in SCP order (task, challenge, settlement, reward). */
export const LIFECYCLES = {
  task: taskLifecycle,
  challenge: challengeLifecycle,
  settlement: settlementLifecycle,
  reward: rewardLifecycle,
} as const;

/** Name of one of the four lifecycles. */
export type LifecycleName = keyof typeof LIFECYCLES;
