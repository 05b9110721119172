/**
 * What each signer signs: the 32 raw bytes of the object's domain hash, computed without its
 * `signature` field. The same digest (hex) is the object's identity in other objects.
 */
import { isDeeplyFrozen } from '../encoding/canonical.ts';
import { domainHash, type Hex64, hexToBytes } from '../hashing/domain-hash.ts';
import { DomainTags } from '../objects/domain-tags.ts';
import type { ExecutionReceipt } from '../objects/execution-receipt.ts';
import type { PayoutExecution } from '../objects/payout.ts';
import type { SettlementStatement } from '../objects/settlement.ts';
import type { TaskEnvelope } from '../objects/task-envelope.ts';
import type { VerificationDecision } from '../objects/verification-decision.ts';

function withoutSignature<T extends { signature: string }>(value: T): Omit<T, 'signature'> {
  const { signature: _, ...rest } = value;
  return rest;
}

/** Hashes of signed, deeply frozen objects without their signature, by object and tag (they cannot change). */
const unsignedHashes = new WeakMap<object, Map<string, Hex64>>();

/** `domainHash(tag, value without its signature)`, computed once per deeply frozen value. */
function unsignedHash<T extends { signature: string }>(tag: string, value: T): Hex64 {
  if (!isDeeplyFrozen(value)) return domainHash(tag, withoutSignature(value));
  const byTag = unsignedHashes.get(value) ?? new Map<string, Hex64>();
  let hash = byTag.get(tag);
  if (hash === undefined) {
    hash = domainHash(tag, withoutSignature(value));
    byTag.set(tag, hash);
    unsignedHashes.set(value, byTag);
  }
  return hash;
}

/** `receipt_hash`: what the executing node signs. */
export function receiptHash(receipt: ExecutionReceipt | Omit<ExecutionReceipt, 'signature'>): Hex64 {
  return 'signature' in receipt
    ? unsignedHash(DomainTags.executionReceipt, receipt)
    : domainHash(DomainTags.executionReceipt, receipt);
}

/** `verification_hash`: what the verifier signs. */
export function decisionHash(decision: VerificationDecision | Omit<VerificationDecision, 'signature'>): Hex64 {
  return 'signature' in decision
    ? unsignedHash(DomainTags.verificationDecision, decision)
    : domainHash(DomainTags.verificationDecision, decision);
}

/** The hash each master signs for a settlement. */
export function statementHash(statement: SettlementStatement): Hex64 {
  return domainHash(DomainTags.settlementStatement, statement);
}

/** What the treasury signs when it marks a payout batch executed. */
export function payoutExecutionHash(execution: PayoutExecution | Omit<PayoutExecution, 'signature'>): Hex64 {
  return 'signature' in execution
    ? unsignedHash(DomainTags.payoutExecution, execution)
    : domainHash(DomainTags.payoutExecution, execution);
}

/** `envelope_hash` of a task. */
export function envelopeHash(envelope: TaskEnvelope): Hex64 {
  return domainHash(DomainTags.taskEnvelope, envelope);
}

/** The bytes an Ed25519 signature covers for a given digest. */
export function digestBytes(digest: Hex64): Uint8Array {
  return hexToBytes(digest);
}
