/**
 * Who verifies a receipt, and whether it is re-executed: a pure function of the log. When a
 * receipt is recorded, the hash of its log entry seeds one digest
 * `hash("scp/v1/verifier-assignment", {task_id, attempt, seq, entry_hash})`: its first 4 bytes pick
 * the verifier among the eligible ones, its next 4 bytes decide sampling. Eligible: actors with
 * the `verifier` role whose stake is at least the task policy's `min_stake.verifier`, never the
 * operator of the executing node. The executor cannot choose either: the entry hash is sealed by
 * the ordering master after the receipt arrives.
 *
 * Under the parameter `verifier_draw: 'receipt'` the digest is
 * `hash("scp/v1/verifier-assignment", {task_id, attempt, receipt_hash})` instead: independent of the
 * log's order, so two deployments given the same seeded input draw the same verifiers and settle to
 * the same roots. The executor can then compute its draw before submitting, so that mode is for
 * reproducibility runs, never the production default.
 */
import { parseAmount } from '../encoding/amount.ts';
import { domainHash } from '../hashing/domain-hash.ts';
import { VerificationTags } from '../objects/challenge-evidence.ts';
import type { ParameterSet } from '../objects/parameter-set.ts';
import type { ProtocolState, VerificationAssignment } from '../reducer/state.ts';

export type { VerificationAssignment };

/** Default share of receipts verified when the policy says nothing: all. */
export const DEFAULT_VERIFICATION_SAMPLE_BPS = 10_000;

/** The policy's sampling rate in basis points. */
export const sampleBps = (policy: ParameterSet | undefined): number =>
  policy?.verification_sample_bps ?? DEFAULT_VERIFICATION_SAMPLE_BPS;

/** Staked verifier actors eligible for a task of `policy_version` executed by `executorOperator`, sorted. */
export function eligibleVerifiers(
  state: ProtocolState,
  policy: ParameterSet | undefined,
  executorOperator: string | undefined,
): string[] {
  if (!policy) return [];
  const minimum = parseAmount(policy.min_stake.verifier);
  return Object.keys(state.actors)
    .filter((id) => state.actors[id]!.roles.includes('verifier'))
    .filter((id) => id !== executorOperator)
    .filter((id) => parseAmount(state.accounts[id]?.stake ?? '0') >= minimum)
    .sort();
}

/** Assigns the verifier and draws the sample for a receipt recorded at log entry `(seq, entryHash)`. */
export function assignVerification(
  state: ProtocolState,
  input: {
    task_id: string;
    attempt: number;
    policy_version: number;
    executor_node: string;
    seq: number;
    entryHash: string;
    /** The receipt's hash: the only seed under the parameter `verifier_draw: 'receipt'`. */
    receiptHash: string;
  },
): VerificationAssignment {
  const policy = state.parameter_history.find((p) => p.policy_version === input.policy_version);
  const executorOperator = state.enterprise_nodes[input.executor_node]?.operator;
  const eligible = eligibleVerifiers(state, policy, executorOperator);
  const digest = domainHash(
    VerificationTags.verifierAssignment,
    policy?.verifier_draw === 'receipt'
      ? { task_id: input.task_id, attempt: input.attempt, receipt_hash: input.receiptHash }
      : { task_id: input.task_id, attempt: input.attempt, seq: input.seq, entry_hash: input.entryHash },
  );
  const pick = Number.parseInt(digest.slice(0, 8), 16);
  const draw = Number.parseInt(digest.slice(8, 16), 16) % 10_000;
  const assignment: VerificationAssignment = { sampled: draw < sampleBps(policy), seq: input.seq };
  if (eligible.length > 0) assignment.verifier = eligible[pick % eligible.length]!;
  return assignment;
}
