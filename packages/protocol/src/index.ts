/**
 * @symphony/protocol — the pure, deterministic SCP core. No I/O, no clock, no randomness:
 * the same log in gives the same state, roots and ledgers out.
 */

export * from './admission/authorize-task.ts';
export * from './admission/delegation.ts';
export * from './assurance/checkpoint.ts';
export * from './assurance/epoch-window.ts';
export * from './assurance/reconcile-epoch.ts';
export * from './assurance/reconcile-payout-batches.ts';
export * from './consent/consent-admits.ts';
export * from './core-encoding.ts';
export * from './crypto/attestation-digests.ts';
export * from './crypto/ed25519.ts';
export * from './crypto/signing-digests.ts';
export * from './economics/emission.ts';
export * from './economics/epoch-accounting.ts';
export * from './economics/pricing.ts';
export * from './economics/reward-split.ts';
export * from './epochs/epoch-mapping.ts';
export * from './events/protocol-event.ts';
export * from './events/train-events.ts';
export * from './lifecycle/index.ts';
export * from './objects/attestation.ts';
export * from './objects/challenge.ts';
export * from './objects/challenge-evidence.ts';
export * from './objects/common.ts';
export * from './objects/consent.ts';
export * from './objects/domain-tags.ts';
export * from './objects/execution-receipt.ts';
export * from './objects/execution-transcript.ts';
export * from './objects/identity.ts';
export * from './objects/parameter-set.ts';
export * from './objects/payout.ts';
export * from './objects/rejection-reasons.ts';
export * from './objects/reward-record.ts';
export * from './objects/semantic-domain.ts';
export * from './objects/semantic-governance.ts';
export * from './objects/settlement.ts';
export * from './objects/task-envelope.ts';
export * from './objects/task-spec.ts';
export * from './objects/verification-decision.ts';
export * from './params/resolve-parameters.ts';
export * from './params/semantic-compatibility.ts';
export * from './params/validate-parameter-set.ts';
export * from './payout/payout-batches.ts';
export * from './privacy/budget-ledger.ts';
export * from './privacy/discrete-laplace.ts';
export * from './privacy/seeded-integers.ts';
export * from './privacy/training-budget.ts';
export * from './query/decide-release.ts';
export * from './query/differencing-check.ts';
export * from './query/partial-aggregate.ts';
export * from './query/participation.ts';
export * from './query/quantile.ts';
export * from './query/query-plan.ts';
export * from './query/query-policy.ts';
export * from './query/release-query.ts';
export * from './query/release-slot.ts';
export { type ApplyOutcome, apply, checkEvent } from './reducer/apply.ts';
export {
  DEFAULT_BOND_FORFEIT_BPS,
  DEFAULT_CHALLENGER_REWARD_BPS,
  isFaultReason,
} from './reducer/challenge-economics.ts';
export { type FoldResult, fold } from './reducer/fold.ts';
export type { Refusal } from './reducer/refusal.ts';
export type { StakeMovement } from './reducer/state.ts';
export {
  type AccountRecord,
  type ActorRecord,
  type CandidateRecord,
  type ChallengeRecord,
  type ConsentChange,
  type ConsentRecord,
  type EpochRecord,
  type Equivocation,
  emptyState,
  type GrantRecord,
  type PrivacyState,
  type ProtocolState,
  type SettlementRecord,
  type StateStep,
  type TaskRecord,
  type TrainRoundRecord,
} from './reducer/state.ts';
export { stateHash } from './reducer/state-hash.ts';
export type { Entry, LogPosition } from './reducer/step.ts';
export { programApprovedAt, programDecisionHash } from './reducer/steps/program-approval.ts';
export { CANDIDATE_PROMOTION_MIN_VAULTS } from './reducer/steps/promote-semantic-candidates.ts';
export * from './semantic/derivation.ts';
export * from './semantic/vault-mapping.ts';
export * from './settlement/settlement-deadline.ts';
export * from './settlement/settlement-proof.ts';
export * from './settlement/settlement-tree.ts';
export * from './train/train-hashes.ts';
export * from './verification/adjudicate-evidence.ts';
export * from './verification/query-aggregation.ts';
export * from './verification/replay-adjudication.ts';
export * from './verification/train-aggregation.ts';
export * from './verification/verifier-assignment.ts';
