/**
 * One domain tag per hashed object type: SHA-256(tag || 0x00 || RFC 8785 JSON).
 * Changing a tag changes every hash of that type: it is a protocol change.
 */
export const DomainTags = {
  taskEnvelope: 'scp/v1/task-envelope',
  executionReceipt: 'scp/v1/execution-receipt',
  verificationDecision: 'scp/v1/verification-decision',
  challenge: 'scp/v1/challenge',
  settlementStatement: 'scp/v1/settlement-statement',
  rewardId: 'scp/v1/reward-id',
  payoutIntent: 'scp/v1/payout-intent',
  rewardLedger: 'scp/v1/reward-ledger',
  resolution: 'scp/v1/semantic-resolution',
  consentGrant: 'scp/v1/consent-grant',
  consentRevocation: 'scp/v1/consent-revocation',
  vaultMapping: 'scp/v1/vault-mapping',
  semanticCandidate: 'scp/v1/semantic-candidate',
  semanticPromotion: 'scp/v1/semantic-promotion',
  protocolState: 'scp/v1/protocol-state',
  logEntry: 'scp/v1/log-entry',
  executionTranscript: 'scp/v1/execution-transcript',
  sealedTranscript: 'scp/v1/sealed-transcript',
  attestationEvidence: 'scp/v1/attestation-evidence',
  simulatedAttestation: 'scp/v1/simulated-attestation',
  enclaveKeyBinding: 'scp/v1/enclave-key-binding',
  delegationCredential: 'scp/v1/delegation-credential',
  payoutExecution: 'scp/v1/payout-execution',
} as const;
export type DomainTag = (typeof DomainTags)[keyof typeof DomainTags];
