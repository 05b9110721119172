/**
 * Payout batches. At finality an epoch's payout intents (one per account) are ordered by account
 * and cut into batches of {@link PAYOUT_BATCH_SIZE}; each batch's claims tree is the RFC 6962 tree
 * over the JCS bytes of its claims `{batch_id, epoch_id, claimant, amount, intent_id}`. A claim
 * proof verifies only for the exact claimant, amount, epoch and batch it was issued for.
 */
import { Compile } from 'typebox/compile';
import { canonicalBytes } from '../encoding/canonical.ts';
import { type Hex64, isHex64 } from '../hashing/domain-hash.ts';
import { buildMerkleTree, compareUtf8, type MerkleTree, verifyInclusion } from '../merkle/merkle-tree.ts';
import { SCHEMA_VERSION } from '../objects/common.ts';
import { type PayoutBatch, PayoutClaim } from '../objects/payout.ts';
import type { PayoutIntent } from '../objects/reward-record.ts';
import type { ProtocolState } from '../reducer/state.ts';

/** Claims per batch (a protocol constant: changing it changes every batch root). */
export const PAYOUT_BATCH_SIZE = 1024;

export function payoutBatchId(epoch_id: number, index: number): string {
  return `pbt_${epoch_id}-${index}`;
}

/** The claim leaf of an intent in a batch. */
export function payoutClaimOf(intent: PayoutIntent, batch_id: string): PayoutClaim {
  return {
    batch_id,
    epoch_id: intent.epoch_id,
    claimant: intent.account,
    amount: intent.amount,
    intent_id: intent.intent_id,
  };
}

/** The claims tree of a batch (claims already in leaf order). */
export function payoutClaimsTree(claims: readonly PayoutClaim[]): MerkleTree {
  return buildMerkleTree(claims.map((c) => canonicalBytes(c)));
}

/**
 * Groups an epoch's intents into batches: intents with a zero amount are not paid; the rest are
 * ordered by account (UTF-8 bytes) and cut into batches of `size`.
 */
export function buildPayoutBatches(
  epoch_id: number,
  intents: readonly PayoutIntent[],
  size = PAYOUT_BATCH_SIZE,
): { batch: PayoutBatch; claims: PayoutClaim[] }[] {
  const payable = intents
    .filter((i) => i.epoch_id === epoch_id && BigInt(i.amount) > 0n)
    .sort((a, b) => compareUtf8(a.account, b.account));
  const out: { batch: PayoutBatch; claims: PayoutClaim[] }[] = [];
  for (let index = 0; index * size < payable.length; index++) {
    const batch_id = payoutBatchId(epoch_id, index);
    const claims = payable.slice(index * size, (index + 1) * size).map((i) => payoutClaimOf(i, batch_id));
    out.push({
      batch: {
        schema_version: SCHEMA_VERSION,
        batch_id,
        epoch_id,
        index,
        claim_count: claims.length,
        total: claims.reduce((s, c) => s + BigInt(c.amount), 0n).toString(),
        claims_root: payoutClaimsTree(claims).rootHex,
        state: 'pending',
      },
      claims,
    });
  }
  return out;
}

/** A claim with its inclusion proof in its batch's claims tree. */
export type PayoutClaimProof = PayoutClaim & {
  leaf_index: number;
  tree_size: number;
  audit_path: string[];
  claims_root: string;
};

export const PAYOUT_CLAIM_FAILURES = ['malformed_claim', 'wrong_root', 'inclusion_failed'] as const;
export type PayoutClaimFailure = (typeof PAYOUT_CLAIM_FAILURES)[number];

const checkClaim = Compile(PayoutClaim);

/**
 * Verifies a payout claim proof offline: the claim `{batch_id, epoch_id, claimant, amount,
 * intent_id}` is leaf `leaf_index` of the claims tree with root `claims_root`, and, when given,
 * that root is `expectedRoot` (the batch root as the log or the treasury's execution records it).
 * A claim with any other claimant, amount, epoch or batch fails. Never throws.
 */
export function verifyPayoutClaim(
  proof: unknown,
  expectedRoot?: Hex64,
): { ok: true } | { ok: false; reason: PayoutClaimFailure; message: string } {
  try {
    if (typeof proof !== 'object' || proof === null)
      return { ok: false, reason: 'malformed_claim', message: 'not a claim' };
    const p = proof as PayoutClaimProof;
    const claim = {
      batch_id: p.batch_id,
      epoch_id: p.epoch_id,
      claimant: p.claimant,
      amount: p.amount,
      intent_id: p.intent_id,
    };
    if (!checkClaim.Check(claim) || !isHex64(p.claims_root) || !Array.isArray(p.audit_path)) {
      return { ok: false, reason: 'malformed_claim', message: 'not a payout claim proof' };
    }
    if (expectedRoot !== undefined && p.claims_root !== expectedRoot) {
      return { ok: false, reason: 'wrong_root', message: 'the proof is for another claims root' };
    }
    const merkle = { leaf_index: p.leaf_index, tree_size: p.tree_size, path: p.audit_path };
    if (!verifyInclusion(canonicalBytes(claim), merkle, p.claims_root)) {
      return { ok: false, reason: 'inclusion_failed', message: 'the claim is not in the batch' };
    }
    return { ok: true };
  } catch {
    return { ok: false, reason: 'malformed_claim', message: 'not a payout claim proof' };
  }
}

/** The claim proof of `claimant` in a batch built from `claims`, or undefined. */
export function payoutClaimProofOf(claims: readonly PayoutClaim[], claimant: string): PayoutClaimProof | undefined {
  const index = claims.findIndex((c) => c.claimant === claimant);
  if (index < 0) return undefined;
  const tree = payoutClaimsTree(claims);
  const merkle = tree.proof(index);
  return {
    ...claims[index]!,
    leaf_index: merkle.leaf_index,
    tree_size: merkle.tree_size,
    audit_path: merkle.path,
    claims_root: tree.rootHex,
  };
}

/** The claims of a batch as the log derived them (intents of the batch, in leaf order). */
export function batchClaims(state: ProtocolState, batchId: string): PayoutClaim[] {
  return Object.values(state.payouts)
    .filter((i) => i.batch_id === batchId)
    .sort((a, b) => compareUtf8(a.account, b.account))
    .map((i) => payoutClaimOf(i, batchId));
}
