/**
 * Offline verification: nothing here talks to a server. Given what the API returned (a settlement
 * proof, a quorum certificate, the masters' public keys, an epoch's reward records), these checks
 * recompute hashes, Merkle roots and Ed25519 signatures with `@symphony/protocol`'s primitives.
 * Each returns `{ ok, problems }`: `problems` says, in words, every check that failed.
 */
import type { SettlementView } from '@symphony/api';
import {
  addAmounts,
  canonicalBytes,
  DomainTags,
  digestBytes,
  domainHash,
  orderEntries,
  type QuorumCertificate,
  type RewardRecord,
  rewardTree,
  type SettlementStatement,
  settlementTree,
  statementHash,
  verifyEd25519,
  verifyInclusion,
} from '@symphony/protocol';
import type { SettlementProof } from './settlement-proof.ts';

/** The outcome of a check: ok, or the list of what failed. */
export type Verification = { ok: boolean; problems: string[] };

const outcome = (problems: string[]): Verification => ({ ok: problems.length === 0, problems });

/** A master as `GET /v1/network` lists it. */
export type MasterKey = { node_id: string; public_key: string };

/**
 * Checks a quorum certificate: at least `quorum` distinct known masters signed the certificate's
 * statement (Ed25519 over the statement's domain hash), and, when given, the statement is for
 * `networkId`. Unknown masters, duplicates and bad signatures do not count.
 */
export function verifyQuorumCertificate(
  certificate: QuorumCertificate,
  masters: readonly MasterKey[],
  options: { quorum?: number; networkId?: string } = {},
): Verification {
  const problems: string[] = [];
  const quorum = options.quorum ?? Math.floor(masters.length / 2) + 1;
  const keys = new Map(masters.map((m) => [m.node_id, m.public_key]));
  const digest = digestBytes(statementHash(certificate.statement));
  const valid = new Set<string>();
  for (const { master_id, signature } of certificate.signatures) {
    const key = keys.get(master_id);
    if (key === undefined) problems.push(`signature by ${master_id}, which is not a known master`);
    else if (valid.has(master_id)) problems.push(`${master_id} signed twice`);
    else if (!verifyEd25519(key, digest, signature)) problems.push(`the signature of ${master_id} does not verify`);
    else valid.add(master_id);
  }
  if (valid.size < quorum) problems.push(`${valid.size} valid master signature(s), the quorum is ${quorum}`);
  const networkOk = options.networkId === undefined || certificate.statement.network_id === options.networkId;
  if (!networkOk)
    problems.push(`the statement is for network ${certificate.statement.network_id}, not ${options.networkId}`);
  // A quorum of valid signatures makes the certificate; stray signatures are reported, not fatal.
  return { ok: valid.size >= quorum && networkOk, problems };
}

/**
 * Checks a settlement inclusion proof: the entry is the leaf at `leaf_index` of a tree of
 * `tree_size` leaves whose root is `settlement_root` (RFC 6962 over the entry's RFC 8785 bytes),
 * the entry is the one asked for, and, when the proof carries a quorum certificate, the certificate
 * signs that root and size for that epoch (its signatures are checked when `masters` are given).
 */
export function verifySettlementInclusion(
  proof: SettlementProof,
  masters?: readonly MasterKey[],
  options: { quorum?: number; requireCertificate?: boolean } = {},
): Verification {
  const problems: string[] = [];
  if (proof.entry.task_id !== proof.entry_id) problems.push(`the entry is ${proof.entry.task_id}, not ${proof.entry_id}`);
  if (proof.entry.epoch_id !== proof.epoch_id) problems.push(`the entry is of epoch ${proof.entry.epoch_id}, not ${proof.epoch_id}`);
  const included = verifyInclusion(
    canonicalBytes(proof.entry),
    { leaf_index: proof.leaf_index, tree_size: proof.tree_size, path: proof.audit_path },
    proof.settlement_root,
  );
  if (!included) problems.push('the audit path does not lead from the entry to the settlement root');
  const qc = proof.quorum_certificate;
  if (qc === null) {
    if (options.requireCertificate) problems.push('the settlement has no quorum certificate yet');
  } else {
    problems.push(...statementProblems(qc.statement, proof));
    if (masters) {
      const signed = verifyQuorumCertificate(qc, masters, options.quorum !== undefined ? { quorum: options.quorum } : {});
      if (!signed.ok) problems.push(...signed.problems.map((p) => `certificate: ${p}`));
    }
  }
  return outcome(problems);
}

function statementProblems(statement: SettlementStatement, proof: SettlementProof): string[] {
  const problems: string[] = [];
  if (statement.epoch_id !== proof.epoch_id) problems.push(`the certificate is for epoch ${statement.epoch_id}`);
  if (statement.settlement_root !== proof.settlement_root) problems.push('the certificate signs another settlement root');
  if (statement.entry_count !== proof.tree_size)
    problems.push(`the certificate signs ${statement.entry_count} entries, the proof says ${proof.tree_size}`);
  return problems;
}

/**
 * Builds the inclusion proof of `entryId` from a whole settlement (`GET /v1/epochs/{id}/settlement`
 * lists every entry): the same answer the proof route gives, computed by the client. Undefined when
 * the epoch has no such entry or no statement yet.
 */
export function settlementProofFromView(view: SettlementView, entryId: string): SettlementProof | undefined {
  const statement = view.certificate?.statement ?? view.statement;
  if (!statement) return undefined;
  const ordered = orderEntries(view.entries);
  const index = ordered.findIndex((e) => e.task_id === entryId);
  if (index < 0) return undefined;
  const tree = settlementTree(ordered);
  const proof = tree.proof(index);
  return {
    epoch_id: view.epoch_id,
    entry_id: entryId,
    entry: ordered[index]!,
    leaf_index: proof.leaf_index,
    tree_size: proof.tree_size,
    audit_path: proof.path,
    settlement_root: tree.rootHex,
    quorum_certificate: view.certificate ?? null,
  };
}

/** What an actor claims to be paid for an epoch (a payout intent's facts). */
export type PayoutClaim = { epoch_id: number; account: string; amount: string; reward_ids_hash?: string };

/**
 * Checks a payout claim against an epoch's reward records and its quorum certificate: the records
 * rebuild the reward-ledger root and count the certificate signs, and the claimed account's
 * records add up to the claimed amount (and to `reward_ids_hash` when the claim gives one).
 */
export function verifyPayoutClaim(
  claim: PayoutClaim,
  epochRewards: readonly RewardRecord[],
  certificate: QuorumCertificate,
): Verification {
  const problems: string[] = [];
  const statement = certificate.statement;
  if (statement.epoch_id !== claim.epoch_id) problems.push(`the certificate is for epoch ${statement.epoch_id}`);
  const ledger = epochRewards.filter(
    (r) => r.epoch_id === claim.epoch_id && r.adjusts === undefined && r.amount !== undefined,
  );
  const tree = rewardTree(ledger);
  if (tree.rootHex !== statement.rewards_root) problems.push('the reward records do not rebuild the signed rewards root');
  if (ledger.length !== statement.reward_count)
    problems.push(`${ledger.length} reward records, the certificate signs ${statement.reward_count}`);
  const mine = ledger.filter((r) => r.account === claim.account);
  const total = addAmounts(...mine.map((r) => r.amount ?? '0'));
  if (total !== claim.amount) problems.push(`the records of ${claim.account} add up to ${total}, not ${claim.amount}`);
  if (claim.reward_ids_hash !== undefined) {
    const ids = mine.map((r) => r.reward_id).sort();
    if (domainHash(DomainTags.rewardLedger, ids) !== claim.reward_ids_hash)
      problems.push("the claim's reward_ids_hash does not match the account's records");
  }
  return outcome(problems);
}
