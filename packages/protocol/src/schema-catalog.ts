/** Every protocol object and event schema by its artifact name, for export as JSON Schema files. */
import type { TSchema } from 'typebox';
import { PROTOCOL_EVENTS, ProtocolEvent } from './events/protocol-event.ts';
import { Challenge } from './objects/challenge.ts';
import { ExecutionReceipt, ReplayContext } from './objects/execution-receipt.ts';
import { DelegationCredential, SignedDelegation, VaultGrant } from './objects/identity.ts';
import { ParameterSet } from './objects/parameter-set.ts';
import { PayoutIntent, RewardRecord } from './objects/reward-record.ts';
import { SemanticDomain } from './objects/semantic-domain.ts';
import { QuorumCertificate, SettlementCandidate, SettlementEntry, SettlementStatement } from './objects/settlement.ts';
import { TaskEnvelope } from './objects/task-envelope.ts';
import { VerificationDecision } from './objects/verification-decision.ts';

export const OBJECT_SCHEMAS: Record<string, TSchema> = {
  'task-envelope': TaskEnvelope,
  'execution-receipt': ExecutionReceipt,
  'replay-context': ReplayContext,
  'verification-decision': VerificationDecision,
  challenge: Challenge,
  'settlement-entry': SettlementEntry,
  'settlement-statement': SettlementStatement,
  'settlement-candidate': SettlementCandidate,
  'quorum-certificate': QuorumCertificate,
  'reward-record': RewardRecord,
  'payout-intent': PayoutIntent,
  'parameter-set': ParameterSet,
  'semantic-domain': SemanticDomain,
  'protocol-event': ProtocolEvent,
  'vault-grant': VaultGrant,
  'delegation-credential': DelegationCredential,
  'signed-delegation': SignedDelegation,
};

/** Event schemas by event type, e.g. `event-task-admitted`. */
export const EVENT_SCHEMAS: Record<string, TSchema> = Object.fromEntries(
  PROTOCOL_EVENTS.map((s) => [`event-${(s.properties.type.const as string).replaceAll('_', '-')}`, s]),
);
