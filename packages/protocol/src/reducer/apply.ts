/**
 * The reducer: `apply(state, entry)` folds one log entry into the state a node owns. It checks the
 * hash chain and the entry's epoch, validates the event against its schema, then runs the step for
 * the event type. A step's check reads only; its run cannot fail, so a refused entry leaves the
 * state exactly as it was (apart from the head and the ignored-entry counter).
 */
import { Compile } from 'typebox/compile';
import { isDeeplyFrozen } from '../encoding/canonical.ts';
import { PROTOCOL_EVENTS, type ProtocolEvent, type ProtocolEventType } from '../events/protocol-event.ts';
import { verifyChain } from '../log/hash-chain.ts';
import type { Refusal } from './refusal.ts';
import type { ProtocolState } from './state.ts';
import type { Entry, LogPosition, Step } from './step.ts';
import { abortTrainRound } from './steps/abort-train-round.ts';
import { acceptQueryParticipation } from './steps/accept-query-participation.ts';
import { admitTask } from './steps/admit-task.ts';
import { approveChallenge } from './steps/approve-challenge.ts';
import { chargeTrainPrivacy } from './steps/charge-train-privacy.ts';
import { closeChallenge } from './steps/close-challenge.ts';
import { closeEpoch } from './steps/close-epoch.ts';
import { completeTrainRound } from './steps/complete-train-round.ts';
import { decideChallenge } from './steps/decide-challenge.ts';
import { decideQueryRelease } from './steps/decide-query-release.ts';
import { declareVaultMapping } from './steps/declare-vault-mapping.ts';
import { depositStake } from './steps/deposit-stake.ts';
import { dispatchTask } from './steps/dispatch-task.ts';
import { executePayoutBatch } from './steps/execute-payout-batch.ts';
import { failResolution } from './steps/fail-resolution.ts';
import { failSettlement } from './steps/fail-settlement.ts';
import { fundAccount } from './steps/fund-account.ts';
import { genesis } from './steps/genesis.ts';
import { grantConsent } from './steps/grant-consent.ts';
import { issueGrant } from './steps/issue-grant.ts';
import { openChallenge } from './steps/open-challenge.ts';
import { approveProgram, revokeProgram } from './steps/program-approval.ts';
import { promoteSemanticCandidates } from './steps/promote-semantic-candidates.ts';
import { proposeSemanticCandidate } from './steps/propose-semantic-candidate.ts';
import { publishPolicy } from './steps/publish-policy.ts';
import { publishSemanticDomain } from './steps/publish-semantic-domain.ts';
import { publishVaultSnapshot } from './steps/publish-vault-snapshot.ts';
import { recordReceipt } from './steps/record-receipt.ts';
import { recordVerification } from './steps/record-verification.ts';
import { registerActor } from './steps/register-actor.ts';
import { registerNode } from './steps/register-node.ts';
import { registerVault } from './steps/register-vault.ts';
import { reopenChallenge } from './steps/reopen-challenge.ts';
import { requestUnbonding } from './steps/request-unbonding.ts';
import { retrySettlement } from './steps/retry-settlement.ts';
import { revokeConsent } from './steps/revoke-consent.ts';
import { revokeDelegation } from './steps/revoke-delegation.ts';
import { revokeGrant } from './steps/revoke-grant.ts';
import { signSettlement } from './steps/sign-settlement.ts';
import { startChallengeReview } from './steps/start-challenge-review.ts';
import { startResolution } from './steps/start-resolution.ts';
import { startTrainRound } from './steps/start-train-round.ts';
import { timeOutTask } from './steps/time-out-task.ts';
import { withdrawStake } from './steps/withdraw-stake.ts';

const steps: { [T in ProtocolEventType]: Step<T> } = {
  genesis,
  policy_published: publishPolicy,
  semantic_domain_published: publishSemanticDomain,
  node_registered: registerNode,
  vault_registered: registerVault,
  task_admitted: admitTask,
  task_resolution_started: startResolution,
  task_resolution_failed: failResolution,
  task_dispatched: dispatchTask,
  execution_receipt_recorded: recordReceipt,
  verification_decided: recordVerification,
  task_timed_out: timeOutTask,
  challenge_opened: openChallenge,
  challenge_review_started: startChallengeReview,
  challenge_decided: decideChallenge,
  challenge_approved: approveChallenge,
  challenge_closed: closeChallenge,
  challenge_reopened: reopenChallenge,
  epoch_closed: closeEpoch,
  settlement_signed: signSettlement,
  settlement_failed: failSettlement,
  settlement_retried: retrySettlement,
  consent_granted: grantConsent,
  consent_revoked: revokeConsent,
  vault_mapping_declared: declareVaultMapping,
  semantic_candidate_proposed: proposeSemanticCandidate,
  semantic_candidates_promoted: promoteSemanticCandidates,
  vault_snapshot_published: publishVaultSnapshot,
  actor_registered: registerActor,
  account_funded: fundAccount,
  vault_grant_issued: issueGrant,
  vault_grant_revoked: revokeGrant,
  delegation_revoked: revokeDelegation,
  query_release_decided: decideQueryRelease,
  query_participation_accepted: acceptQueryParticipation,
  payout_batch_executed: executePayoutBatch,
  stake_deposited: depositStake,
  stake_unbonding_requested: requestUnbonding,
  stake_withdrawn: withdrawStake,
  program_approved: approveProgram,
  program_revoked: revokeProgram,
  train_round_started: startTrainRound,
  train_round_completed: completeTrainRound,
  train_round_aborted: abortTrainRound,
  train_privacy_charged: chargeTrainPrivacy,
};

/** One compiled validator per event type, so an error names the field of the event actually sent. */
const validators = new Map(PROTOCOL_EVENTS.map((schema) => [schema.properties.type.const as string, Compile(schema)]));

/**
 * - `applied`: the event changed the state.
 * - `ignored`: a well-chained entry whose event does not apply (counted in `state.ignored`).
 * - `fatal`: the entry breaks the hash chain or the clock; the log is corrupt from here and folding must stop.
 */
export type ApplyOutcome =
  | { kind: 'applied'; seq: number }
  | { kind: 'ignored'; seq: number; refusal: Refusal }
  | { kind: 'fatal'; seq: number; refusal: Refusal };

/** Deeply frozen events that passed their schema. */
const wellFormed = new WeakSet<object>();

/** Checks an event against the state without changing anything: what a master does before appending. */
export function checkEvent(state: ProtocolState, event: unknown, at: LogPosition): Refusal | undefined {
  const type = typeof event === 'object' && event !== null ? (event as { type?: unknown }).type : undefined;
  const validator = typeof type === 'string' ? validators.get(type) : undefined;
  if (!validator)
    return { code: 'unknown_event_type', message: `no protocol event has type ${JSON.stringify(type)}`.slice(0, 120) };
  // A deeply frozen event cannot change: once it passed its schema, it passes again (the writer
  // and every master's fold in one process check the same object).
  const frozen = isDeeplyFrozen(event);
  if (!(frozen && wellFormed.has(event as object))) {
    if (!validator.Check(event)) {
      const first = validator.Errors(event)[0];
      return { code: 'malformed_event', message: `${first?.instancePath || '/'} ${first?.message ?? 'is invalid'}` };
    }
    if (frozen) wellFormed.add(event as object);
  }
  const e = event as ProtocolEvent;
  if (e.type !== 'genesis' && state.head === null)
    return { code: 'no_genesis', message: 'the log starts with genesis' };
  if (e.type !== 'genesis' && at.epoch_id !== state.current_epoch) {
    return { code: 'wrong_epoch', message: `entry epoch ${at.epoch_id}, current epoch ${state.current_epoch}` };
  }
  return (steps[e.type] as Step<typeof e.type>).check(state, e as never, at);
}

/** Folds one entry into `state` (which it updates in place) and reports what happened. */
export function apply(state: ProtocolState, entry: Entry): ApplyOutcome {
  const anchor = state.head ? { ...state.head, time_ms: state.last_time_ms } : undefined;
  const chain = verifyChain([entry], anchor);
  if (!chain.ok) return fatal(chain.seq, chain.reason, `entry ${chain.seq} breaks the log: ${chain.reason}`);
  const { seq, hash } = entry;

  const at: LogPosition = { seq, time_ms: entry.time_ms, epoch_id: entry.epoch_id };
  const refusal = checkEvent(state, entry.event, at);
  state.head = { seq, hash };
  state.last_time_ms = entry.time_ms;
  if (refusal) {
    state.ignored = { count: state.ignored.count + 1, last: { seq, code: refusal.code } };
    return { kind: 'ignored', seq, refusal };
  }
  const event = entry.event;
  (steps[event.type] as Step<typeof event.type>).run(state, event as never, at);
  return { kind: 'applied', seq };
}

function fatal(seq: number, code: string, message: string): ApplyOutcome {
  return { kind: 'fatal', seq, refusal: { code, message } };
}
