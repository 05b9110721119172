import { identityEnforced, stakeCompliant } from '../../admission/authorize-task.ts';
import { verifyEd25519 } from '../../crypto/ed25519.ts';
import { decisionHash, digestBytes } from '../../crypto/signing-digests.ts';
import { priceTask } from '../../economics/pricing.ts';
import { splitFee } from '../../economics/reward-split.ts';
import { parseAmount, toAmount } from '../../encoding/amount.ts';
import { SCHEMA_VERSION } from '../../objects/common.ts';
import { policyInForce } from '../../params/resolve-parameters.ts';
import { isFaultReason, operatorOf, slashStake } from '../challenge-economics.ts';
import { checkTaskEvent, moveTask } from '../moves.ts';
import { refuse } from '../refusal.ts';
import { createPendingRewards } from '../reward-records.ts';
import type { ProtocolState } from '../state.ts';
import type { Step } from '../step.ts';

/** The operator account of the master whose key signed, if any (verifiers are master-run for now). */
function masterOperator(state: ProtocolState, publicKey: string): string | undefined {
  return Object.values(state.masters).find((m) => m.public_key === publicKey)?.operator;
}

/**
 * verifying -> awaiting_settlement | rejected | challenged on a verifier's signed decision, refused
 * unless it comes from the verifier assigned at the receipt (a staked verifier actor, or a master
 * when no actor is eligible). A `sampled_out` acceptance is allowed only for a receipt the sample
 * skipped. A rejection for a proven fault (output, transcript or attestation mismatch) slashes the
 * executor's operator, the verifier receiving the challenger's share. On
 * acceptance the fee is priced and the contributors' reward records are created, pending the
 * epoch's candidate; a `challenged` decision opens a challenge so adjudication can end it.
 */
export const recordVerification: Step<'verification_decided'> = {
  check(state, e) {
    const d = e.decision;
    const to = d.outcome === 'accepted' ? 'awaiting_settlement' : d.outcome;
    const refusal = checkTaskEvent(state.tasks, d.task_id, ['verifying'], to);
    if (refusal) return refusal;
    const t = state.tasks[d.task_id]!;
    if (d.attempt !== t.attempt || d.receipt_hash !== t.receipt_hash) {
      return refuse('stale_receipt', 'the decision is not about the current receipt');
    }
    const assigned = t.verification_assignment?.verifier;
    if (assigned) {
      if (d.verifier !== assigned) return refuse('unassigned_verifier', `task ${t.task_id} is assigned to ${assigned}`);
      if (state.actors[assigned]?.public_key !== d.signer_public_key)
        return refuse('unknown_verifier', "the decision is not signed by the verifier's registered key");
    } else {
      const operator = masterOperator(state, d.signer_public_key);
      if (!operator || operator !== d.verifier)
        return refuse('unknown_verifier', 'the decision is not signed by a verifier key');
    }
    if (identityEnforced(state) && !stakeCompliant(state, d.verifier, 'verifier', t.policy_version))
      return refuse('verifier_understaked', `${d.verifier} is below the minimum verifier stake`);
    if (d.method === 'sampled_out') {
      if (t.verification_assignment?.sampled !== false)
        return refuse('sample_requires_check', `the sample picked task ${t.task_id}: it must be checked`);
      if (d.outcome !== 'accepted') return refuse('sampled_out_accepts_only', 'a sampled-out receipt is accepted');
    }
    if (!verifyEd25519(d.signer_public_key, digestBytes(decisionHash(d)), d.signature)) {
      return refuse('bad_signature', 'decision signature does not verify');
    }
    if (d.outcome !== 'accepted' && !d.reason_code)
      return refuse('missing_reason', 'a rejection or challenge names a reason_code');
    const challengeId = `chl_v_${d.task_id.slice(4)}_${d.attempt}`;
    if (d.outcome === 'challenged' && state.challenges[challengeId]) return refuse('duplicate_challenge', challengeId);
    return undefined;
  },
  run(state, e, at) {
    const d = e.decision;
    const t = state.tasks[d.task_id]!;
    const hash = decisionHash(d);
    t.verifier = d.verifier;
    t.verification_hash = hash;
    if (d.outcome === 'rejected') {
      moveTask(t, 'rejected', at);
      t.reason_code = d.reason_code ?? 'verification_rejected';
      const executor = operatorOf(state, t.executor_node);
      if (isFaultReason(d.reason_code) && executor)
        slashStake(state, executor, d.verifier, t.task_id, policyInForce(state, at.epoch_id), at);
      return;
    }
    if (d.outcome === 'challenged') {
      moveTask(t, 'challenged', at);
      const challenge_id = `chl_v_${d.task_id.slice(4)}_${d.attempt}`;
      state.challenges[challenge_id] = {
        challenge: {
          schema_version: SCHEMA_VERSION,
          challenge_id,
          target: { kind: 'task', task_id: t.task_id },
          challenger: d.verifier,
          grounds: d.reason_code ?? 'verification_disputed',
          bond: '0',
          evidence_hash: hash,
        },
        state: 'opened',
        history: [{ state: 'opened', seq: at.seq, time_ms: at.time_ms }],
        evidence_hashes: [hash],
        opened_in_finalized_context: false,
      };
      return;
    }
    acceptTask(state, t.task_id, at);
  },
};

/** Prices an accepted task and creates its pending reward records in the current epoch. */
export function acceptTask(
  state: ProtocolState,
  task_id: string,
  at: { seq: number; time_ms: number; epoch_id: number },
): void {
  const t = state.tasks[task_id]!;
  moveTask(t, 'awaiting_settlement', at);
  t.settle_epoch = at.epoch_id;
  const policy = state.parameter_history.find((p) => p.policy_version === t.policy_version)!;
  const usage = t.usage ?? { records_scanned: 0, fuel: 0, rounds: 0 };
  const { fee } = priceTask(policy.pricing[t.class], usage, t.vault_ids.length, parseAmount(t.max_fee));
  t.fee = toAmount(fee);
  const contributions = [...(t.contributions ?? [])];
  const executorOperator = t.executor_node ? state.enterprise_nodes[t.executor_node]?.operator : undefined;
  if (executorOperator) contributions.push({ account: executorOperator, role: 'executor', units: 1 });
  if (t.verifier) contributions.push({ account: t.verifier, role: 'verifier', units: 1 });
  t.contributions = contributions;
  const lines = splitFee(fee, policy.reward_split_bps, contributions, state.treasury_account);
  createPendingRewards(state, t.task_id, at.epoch_id, t.policy_version, lines);
}
