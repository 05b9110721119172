/** Every protocol object and event schema by its artifact name, for export as JSON Schema files. */
import type { TSchema } from 'typebox';
import { PROTOCOL_EVENTS, ProtocolEvent } from './events/protocol-event.ts';
import { AttestationEvidence, EnclaveRegistration } from './objects/attestation.ts';
import { Challenge } from './objects/challenge.ts';
import { ChallengeAdjudication, ChallengeEvidence } from './objects/challenge-evidence.ts';
import { ConsentGrant, ConsentRevocation } from './objects/consent.ts';
import { ExecutionReceipt, ReplayContext } from './objects/execution-receipt.ts';
import { ExecutionTranscript, SignedTranscript } from './objects/execution-transcript.ts';
import { DelegationCredential, SignedDelegation, VaultGrant } from './objects/identity.ts';
import { ParameterSet } from './objects/parameter-set.ts';
import { PayoutBatch, PayoutClaim, PayoutExecution } from './objects/payout.ts';
import { PayoutIntent, RewardRecord } from './objects/reward-record.ts';
import { SemanticDomain } from './objects/semantic-domain.ts';
import { SemanticCandidate, SemanticPromotion, VaultMapping } from './objects/semantic-governance.ts';
import { QuorumCertificate, SettlementCandidate, SettlementEntry, SettlementStatement } from './objects/settlement.ts';
import { TaskEnvelope } from './objects/task-envelope.ts';
import { VerificationDecision } from './objects/verification-decision.ts';

export const OBJECT_SCHEMAS: Record<string, TSchema> = {
  'task-envelope': TaskEnvelope,
  'execution-receipt': ExecutionReceipt,
  'replay-context': ReplayContext,
  'execution-transcript': ExecutionTranscript,
  'signed-transcript': SignedTranscript,
  'attestation-evidence': AttestationEvidence,
  'enclave-registration': EnclaveRegistration,
  'verification-decision': VerificationDecision,
  challenge: Challenge,
  'settlement-entry': SettlementEntry,
  'settlement-statement': SettlementStatement,
  'settlement-candidate': SettlementCandidate,
  'quorum-certificate': QuorumCertificate,
  'reward-record': RewardRecord,
  'payout-intent': PayoutIntent,
  'payout-batch': PayoutBatch,
  'payout-claim': PayoutClaim,
  'payout-execution': PayoutExecution,
  'parameter-set': ParameterSet,
  'semantic-domain': SemanticDomain,
  'consent-grant': ConsentGrant,
  'consent-revocation': ConsentRevocation,
  'vault-mapping': VaultMapping,
  'semantic-candidate': SemanticCandidate,
  'semantic-promotion': SemanticPromotion,
  'protocol-event': ProtocolEvent,
  'vault-grant': VaultGrant,
  'delegation-credential': DelegationCredential,
  'signed-delegation': SignedDelegation,
  'challenge-evidence': ChallengeEvidence,
  'challenge-adjudication': ChallengeAdjudication,
};

/** Event schemas by event type, e.g. `event-task-admitted`. */
export const EVENT_SCHEMAS: Record<string, TSchema> = Object.fromEntries(
  PROTOCOL_EVENTS.map((s) => [`event-${(s.properties.type.const as string).replaceAll('_', '-')}`, s]),
);
