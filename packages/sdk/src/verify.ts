/**
 * Offline verification: nothing here talks to a server. Inclusion proofs and quorum certificates
 * are checked by `@symphony/protocol`'s pure verifiers (re-exported here); payout claims are
 * checked against an epoch's reward records and the certificate that signs their root.
 */
import type { SettlementProof, SettlementView } from '@symphony/api';
import {
  addAmounts,
  DomainTags,
  domainHash,
  orderEntries,
  type QuorumCertificate,
  type RewardRecord,
  rewardTree,
  settlementProofOf,
  settlementTree,
} from '@symphony/protocol';

export {
  type MasterKeys,
  type PayoutClaimProof,
  type VerificationResult,
  verifyPayoutClaim,
  verifyQuorumCertificate,
  verifySettlementProof,
} from '@symphony/protocol';

/**
 * The inclusion proof of `entryId` computed by the client from a whole settlement
 * (`GET /v1/epochs/{id}/settlement` lists every entry): what the proof route answers, without
 * trusting it. Undefined when the epoch has no such entry.
 */
export function settlementProofFromView(view: SettlementView, entryId: string): SettlementProof | undefined {
  const ordered = orderEntries(view.entries);
  return settlementProofOf(view.epoch_id, ordered, settlementTree(ordered), entryId, view.quorum_certificate);
}

/** What an actor claims to be paid for an epoch: a payout intent's facts. */
export type RewardsPayout = { epoch_id: number; account: string; amount: string; reward_ids_hash?: string };

/** The outcome of a payout check: ok, or every check that failed, in words. */
export type PayoutVerification = { ok: boolean; problems: string[] };

/**
 * Checks a payout claim offline against an epoch's reward records (`GET /v1/rewards?epochId=`)
 * and its quorum certificate (verify that one with `verifyQuorumCertificate` first): the records
 * rebuild the reward-ledger root and count the certificate signs, the claimed account's records
 * add up to the claimed amount, and to `reward_ids_hash` when the claim gives one.
 */
export function verifyRewardsPayout(
  claim: RewardsPayout,
  epochRewards: readonly RewardRecord[],
  certificate: QuorumCertificate,
): PayoutVerification {
  const problems: string[] = [];
  const statement = certificate.statement;
  if (statement.epoch_id !== claim.epoch_id) problems.push(`the certificate is for epoch ${statement.epoch_id}`);
  const ledger = epochRewards.filter(
    (r) => r.epoch_id === claim.epoch_id && r.adjusts === undefined && r.amount !== undefined,
  );
  if (rewardTree(ledger).rootHex !== statement.rewards_root)
    problems.push('the reward records do not rebuild the signed rewards root');
  if (ledger.length !== statement.reward_count)
    problems.push(`${ledger.length} reward records, the certificate signs ${statement.reward_count}`);
  const mine = ledger.filter((r) => r.account === claim.account);
  const total = addAmounts(...mine.map((r) => r.amount ?? '0'));
  if (total !== claim.amount) problems.push(`the records of ${claim.account} add up to ${total}, not ${claim.amount}`);
  if (
    claim.reward_ids_hash !== undefined &&
    domainHash(DomainTags.rewardLedger, mine.map((r) => r.reward_id).sort()) !== claim.reward_ids_hash
  )
    problems.push("the claim's reward_ids_hash does not match the account's records");
  return { ok: problems.length === 0, problems };
}
