/**
 * Every protocol-visible fact is one of these events, ordered in the hash-chained protocol log.
 * Private data never appears here: only identifiers, commitments, released aggregates and signatures.
 */
import Type, { type Static } from 'typebox';
import { EnclaveRegistration } from '../objects/attestation.ts';
import { Challenge } from '../objects/challenge.ts';
import {
  ActorId,
  ActorRoleSchema,
  AmountString,
  ChallengeId,
  EpochId,
  GrantId,
  Hex64String,
  NetworkId,
  NodeId,
  PublicKeyHex,
  ReasonCode,
  SignatureHex,
  TaskId,
  UsageScopeSchema,
  VaultId,
} from '../objects/common.ts';
import { ConsentGrant, ConsentRevocation } from '../objects/consent.ts';
import { ExecutionReceipt } from '../objects/execution-receipt.ts';
import { VaultGrant } from '../objects/identity.ts';
import { ParameterSet } from '../objects/parameter-set.ts';
import { PayoutExecution } from '../objects/payout.ts';
import { SemanticDomain } from '../objects/semantic-domain.ts';
import { SemanticCandidate, SemanticPromotion, VaultMapping } from '../objects/semantic-governance.ts';
import { SettlementStatement } from '../objects/settlement.ts';
import { TaskEnvelope } from '../objects/task-envelope.ts';
import { VerificationDecision } from '../objects/verification-decision.ts';
import {
  TrainPrivacyChargedEvent,
  TrainRoundAbortedEvent,
  TrainRoundCompletedEvent,
  TrainRoundStartedEvent,
} from './train-events.ts';

const event = <T extends string, P extends Record<string, Parameters<typeof Type.Object>[0][string]>>(
  type: T,
  properties: P,
  description: string,
) => Type.Object({ type: Type.Literal(type), ...properties }, { additionalProperties: false, description });

const MasterKey = Type.Object(
  { node_id: NodeId, public_key: PublicKeyHex, operator: ActorId },
  { additionalProperties: false },
);

export const GenesisEvent = event(
  'genesis',
  {
    network_id: NetworkId,
    masters: Type.Array(MasterKey, { minItems: 1, maxItems: 16 }),
    treasury_account: ActorId,
    parameters: ParameterSet,
    semantic_domains: Type.Array(SemanticDomain, { maxItems: 256 }),
  },
  'First entry of every log: masters, treasury, the first parameter set and semantic registry.',
);
export const PolicyPublishedEvent = event(
  'policy_published',
  { parameters: ParameterSet },
  'Governance publishes a new parameter set.',
);
export const SemanticDomainPublishedEvent = event(
  'semantic_domain_published',
  { domain: SemanticDomain },
  'Governance publishes a domain under a new semantic_version.',
);
export const NodeRegisteredEvent = event(
  'node_registered',
  {
    node_id: NodeId,
    kind: Type.Literal('enterprise'),
    public_key: PublicKeyHex,
    operator: ActorId,
    enclaves: Type.Optional(Type.Array(EnclaveRegistration, { minItems: 1, maxItems: 16 })),
  },
  'An enterprise node joins with its signing key and the enclaves (provider, measurement, key) it executes in.',
);
export const VaultRegisteredEvent = event(
  'vault_registered',
  { vault_id: VaultId, node_id: NodeId, operator: ActorId },
  'A Vault is hosted by an enterprise node.',
);
export const TaskAdmittedEvent = event(
  'task_admitted',
  { envelope: TaskEnvelope, envelope_hash: Hex64String },
  'The admission plane accepted a fully formed task.',
);
export const TaskResolutionStartedEvent = event(
  'task_resolution_started',
  { task_id: TaskId },
  'The semantic layer takes the task.',
);
export const TaskResolutionFailedEvent = event(
  'task_resolution_failed',
  { task_id: TaskId, reason_code: ReasonCode },
  'Semantic resolution failed; the task is rejected.',
);
export const TaskDispatchedEvent = event(
  'task_dispatched',
  {
    task_id: TaskId,
    attempt: Type.Integer({ minimum: 1, maximum: 1000 }),
    resolution_hash: Hex64String,
    assignments: Type.Array(Type.Object({ vault_id: VaultId, node_id: NodeId }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: 1024,
    }),
  },
  'Resolution recorded and work routed to the enterprise nodes hosting the target Vaults (or re-dispatched).',
);
export const ExecutionReceiptRecordedEvent = event(
  'execution_receipt_recorded',
  { receipt: ExecutionReceipt },
  'An enterprise node reports an execution, signed.',
);
export const VerificationDecidedEvent = event(
  'verification_decided',
  { decision: VerificationDecision },
  'A verifier accepted, rejected or challenged a receipt.',
);
export const TaskTimedOutEvent = event('task_timed_out', { task_id: TaskId }, 'The log time passed the task deadline.');
export const ChallengeOpenedEvent = event(
  'challenge_opened',
  { challenge: Challenge },
  'A staked actor disputes a task or settlement.',
);
export const ChallengeReviewStartedEvent = event(
  'challenge_review_started',
  { challenge_id: ChallengeId },
  'Adjudication begins.',
);
export const ChallengeDecidedEvent = event(
  'challenge_decided',
  {
    challenge_id: ChallengeId,
    outcome: Type.Union([Type.Literal('confirmed'), Type.Literal('not_confirmed')]),
    decision_hash: Hex64String,
    accused: Type.Optional(NodeId),
  },
  'The deterministic replay of the evidence decided the challenge.',
);
export const ChallengeApprovedEvent = event(
  'challenge_approved',
  { challenge_id: ChallengeId, approver: ActorId },
  'Governance approves a confirmed challenge.',
);
export const ChallengeClosedEvent = event(
  'challenge_closed',
  {
    challenge_id: ChallengeId,
    outcome: Type.Union([Type.Literal('penalty_recorded'), Type.Literal('closed_without_penalty')]),
  },
  'The challenge ends with or without a penalty.',
);
export const ChallengeReopenedEvent = event(
  'challenge_reopened',
  { challenge_id: ChallengeId, evidence_hash: Hex64String },
  'New evidence reopens a closed challenge inside its window.',
);
export const EpochClosedEvent = event(
  'epoch_closed',
  { epoch_id: EpochId, trigger: Type.Union([Type.Literal('manual'), Type.Literal('schedule')]) },
  'Closes the current epoch; the entry itself is the last of that epoch.',
);
export const SettlementSignedEvent = event(
  'settlement_signed',
  { master_id: NodeId, statement: SettlementStatement, signature: SignatureHex },
  "A master's Ed25519 signature over its independently built settlement statement.",
);
export const SettlementFailedEvent = event(
  'settlement_failed',
  { epoch_id: EpochId, reason_code: ReasonCode },
  'The settlement of an epoch could not reach a quorum.',
);
export const SettlementRetriedEvent = event(
  'settlement_retried',
  { epoch_id: EpochId },
  'Governance-ordered recovery of a failed settlement: a new attempt.',
);
export const ConsentGrantedEvent = event(
  'consent_granted',
  { consents: Type.Array(ConsentGrant, { minItems: 1, maxItems: 1000 }) },
  "Data subjects' consents to usage scopes over their records in Vaults, each signed by its Vault's node; all or none apply.",
);
export const ConsentRevokedEvent = event(
  'consent_revoked',
  { revocation: ConsentRevocation },
  'A data subject withdraws a consent; every task admitted after this entry excludes its records.',
);
export const VaultMappingDeclaredEvent = event(
  'vault_mapping_declared',
  { mapping: VaultMapping },
  "A Vault declares how its local fields derive a domain's canonical attributes.",
);
export const SemanticCandidateProposedEvent = event(
  'semantic_candidate_proposed',
  { candidate: SemanticCandidate },
  'A Vault proposes a local attribute as a canonical candidate in the current epoch window.',
);
export const SemanticCandidatesPromotedEvent = event(
  'semantic_candidates_promoted',
  { promotion: SemanticPromotion },
  "Governance promotes a closed epoch window's candidates into a new semantic_version.",
);
export const VaultSnapshotPublishedEvent = event(
  'vault_snapshot_published',
  {
    snapshot: Type.Object(
      {
        vault_id: VaultId,
        node_id: NodeId,
        epoch_id: EpochId,
        record_count: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
        commitments_root: Hex64String,
      },
      { additionalProperties: false },
    ),
    signature: SignatureHex,
  },
  "A Vault's Merkle root of its salted record commitments for an epoch, signed by the hosting node.",
);
export const ActorRegisteredEvent = event(
  'actor_registered',
  {
    actor_id: ActorId,
    roles: Type.Array(ActorRoleSchema, { minItems: 1, maxItems: 7, uniqueItems: true }),
    public_key: PublicKeyHex,
  },
  'An actor joins with its Ed25519 key and roles; it signs its API requests with that key.',
);
export const AccountFundedEvent = event(
  'account_funded',
  {
    actor_id: ActorId,
    account: Type.Union([Type.Literal('balance'), Type.Literal('stake')]),
    amount: AmountString,
  },
  "The treasury credits an actor's spendable balance or bonds stake for it.",
);
export const VaultGrantIssuedEvent = event(
  'vault_grant_issued',
  { grant: VaultGrant },
  "A Vault's operator lets a submitter run task classes on attributes of the Vault.",
);
export const VaultGrantRevokedEvent = event(
  'vault_grant_revoked',
  { grant_id: GrantId, revoked_by: ActorId },
  'The Vault operator withdraws a grant; tasks admitted after it cannot use it.',
);
export const DelegationRevokedEvent = event(
  'delegation_revoked',
  { principal: ActorId, credential_hash: Hex64String },
  'A user withdraws a delegation credential; agents can no longer submit with it.',
);
export const PayoutBatchExecutedEvent = event(
  'payout_batch_executed',
  { execution: PayoutExecution },
  'The treasury, signing, marks a payout batch executed; reward records are never changed.',
);
export const StakeDepositedEvent = event(
  'stake_deposited',
  { actor_id: ActorId, amount: AmountString },
  'An actor bonds part of its spendable balance as stake.',
);
export const StakeUnbondingRequestedEvent = event(
  'stake_unbonding_requested',
  { actor_id: ActorId, amount: AmountString },
  'An actor asks to withdraw stake: it stops counting at once and is released after the unbonding period.',
);
export const StakeWithdrawnEvent = event(
  'stake_withdrawn',
  { actor_id: ActorId },
  'Stake whose unbonding period has passed (by log time) returns to the spendable balance.',
);

export const QueryReleaseDecidedEvent = event(
  'query_release_decided',
  {
    task_id: TaskId,
    attempt: Type.Integer({ minimum: 1, maximum: 1000 }),
    scope: UsageScopeSchema,
    /** Keyed pseudonyms (enclave-computed) of every subject whose records the release read. */
    charged: Type.Array(Type.String({ pattern: '^[0-9a-f]{32}$' }), { maxItems: 5_000_000 }),
    /** Sorted pseudonyms of each released group, for the differencing check. */
    released_sets: Type.Array(Type.Array(Type.String({ pattern: '^[0-9a-f]{32}$' }), { maxItems: 5_000_000 }), {
      maxItems: 100_000,
    }),
  },
  'The aggregation enclave asks to release a query: the reducer charges the privacy budget and checks differencing, or rejects the task whole.',
);

export const QueryParticipationAcceptedEvent = event(
  'query_participation_accepted',
  { task_id: TaskId, vault_id: VaultId, subject: ActorId, signer_node: NodeId, signature: SignatureHex },
  "A data subject accepts a participant query through its Vault; the Vault's node signs on its behalf.",
);

const ProgramDecision = Type.Object(
  { vault_id: VaultId, node_id: NodeId, code_hash: Hex64String },
  { additionalProperties: false },
);
export const ProgramApprovedEvent = event(
  'program_approved',
  { decision: ProgramDecision, signature: SignatureHex },
  "A Vault's operator approves a sandbox program (by code hash) to run over the Vault; signed by the hosting node.",
);
export const ProgramRevokedEvent = event(
  'program_revoked',
  { decision: ProgramDecision, signature: SignatureHex },
  "A Vault's operator withdraws a program's approval; tasks admitted afterwards may not run it there.",
);

export const PROTOCOL_EVENTS = [
  GenesisEvent,
  PolicyPublishedEvent,
  SemanticDomainPublishedEvent,
  NodeRegisteredEvent,
  VaultRegisteredEvent,
  TaskAdmittedEvent,
  TaskResolutionStartedEvent,
  TaskResolutionFailedEvent,
  TaskDispatchedEvent,
  ExecutionReceiptRecordedEvent,
  VerificationDecidedEvent,
  TaskTimedOutEvent,
  ChallengeOpenedEvent,
  ChallengeReviewStartedEvent,
  ChallengeDecidedEvent,
  ChallengeApprovedEvent,
  ChallengeClosedEvent,
  ChallengeReopenedEvent,
  EpochClosedEvent,
  SettlementSignedEvent,
  SettlementFailedEvent,
  SettlementRetriedEvent,
  ConsentGrantedEvent,
  ConsentRevokedEvent,
  VaultMappingDeclaredEvent,
  SemanticCandidateProposedEvent,
  SemanticCandidatesPromotedEvent,
  VaultSnapshotPublishedEvent,
  ActorRegisteredEvent,
  AccountFundedEvent,
  VaultGrantIssuedEvent,
  VaultGrantRevokedEvent,
  DelegationRevokedEvent,
  QueryReleaseDecidedEvent,
  QueryParticipationAcceptedEvent,
  PayoutBatchExecutedEvent,
  StakeDepositedEvent,
  StakeUnbondingRequestedEvent,
  StakeWithdrawnEvent,
  ProgramApprovedEvent,
  ProgramRevokedEvent,
  TrainRoundStartedEvent,
  TrainRoundCompletedEvent,
  TrainRoundAbortedEvent,
  TrainPrivacyChargedEvent,
] as const;

export const ProtocolEvent = Type.Union([...PROTOCOL_EVENTS]);
export type ProtocolEvent = Static<typeof ProtocolEvent>;
export type ProtocolEventType = ProtocolEvent['type'];
export type EventOf<T extends ProtocolEventType> = Extract<ProtocolEvent, { type: T }>;
