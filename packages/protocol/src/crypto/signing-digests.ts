/**
 * What each signer signs: the 32 raw bytes of the object's domain hash, computed without its
 * `signature` field. The same digest (hex) is the object's identity in other objects.
 */
import { domainHash, type Hex64, hexToBytes } from '../hashing/domain-hash.ts';
import { DomainTags } from '../objects/domain-tags.ts';
import type { ExecutionReceipt } from '../objects/execution-receipt.ts';
import type { SettlementStatement } from '../objects/settlement.ts';
import type { TaskEnvelope } from '../objects/task-envelope.ts';
import type { VerificationDecision } from '../objects/verification-decision.ts';

function withoutSignature<T extends { signature: string }>(value: T): Omit<T, 'signature'> {
  const { signature: _, ...rest } = value;
  return rest;
}

/** `receipt_hash`: what the executing node signs. */
export function receiptHash(receipt: ExecutionReceipt | Omit<ExecutionReceipt, 'signature'>): Hex64 {
  return domainHash(DomainTags.executionReceipt, 'signature' in receipt ? withoutSignature(receipt) : receipt);
}

/** `verification_hash`: what the verifier signs. */
export function decisionHash(decision: VerificationDecision | Omit<VerificationDecision, 'signature'>): Hex64 {
  return domainHash(DomainTags.verificationDecision, 'signature' in decision ? withoutSignature(decision) : decision);
}

/** The hash each master signs for a settlement. */
export function statementHash(statement: SettlementStatement): Hex64 {
  return domainHash(DomainTags.settlementStatement, statement);
}

/** `envelope_hash` of a task. */
export function envelopeHash(envelope: TaskEnvelope): Hex64 {
  return domainHash(DomainTags.taskEnvelope, envelope);
}

/** The bytes an Ed25519 signature covers for a given digest. */
export function digestBytes(digest: Hex64): Uint8Array {
  return hexToBytes(digest);
}
