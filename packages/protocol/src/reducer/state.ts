/**
 * The state every master folds from the protocol log. Plain JSON data (no Maps, no floats) so it
 * can be hashed canonically and compared between nodes.
 */
import type { ChallengeState } from '../lifecycle/challenge-lifecycle.ts';
import type { SettlementState } from '../lifecycle/settlement-lifecycle.ts';
import type { TaskState } from '../lifecycle/task-lifecycle.ts';
import type { EnclaveRegistration } from '../objects/attestation.ts';
import type { Challenge } from '../objects/challenge.ts';
import type { TaskClass, UsageScope } from '../objects/common.ts';
import type { Contribution } from '../objects/execution-receipt.ts';
import type { VaultGrant } from '../objects/identity.ts';
import type { ParameterSet } from '../objects/parameter-set.ts';
import type { PayoutBatch } from '../objects/payout.ts';
import type { PayoutIntent, RewardRecord } from '../objects/reward-record.ts';
import type { AttributeDefinition, SemanticDomain } from '../objects/semantic-domain.ts';
import type { VaultMapping } from '../objects/semantic-governance.ts';
import type { QuorumCertificate, SettlementCandidate, SettlementEntry } from '../objects/settlement.ts';
import type { BudgetLedger } from '../privacy/budget-ledger.ts';
import type { ReleaseHistoryEntry } from '../query/differencing-check.ts';

/** Sampling and verifier assignment fixed for one receipt, stored on the task (see `assignVerification`). */
export type VerificationAssignment = {
  /** The staked verifier actor that must sign the decision; absent when no actor is eligible (a master verifies). */
  verifier?: string;
  /** Whether the policy's sample picked this receipt for re-execution; otherwise it is accepted as `sampled_out`. */
  sampled: boolean;
  /** The seq of the log entry that recorded the receipt (the seed's position). */
  seq: number;
};

/** A state change of any lifecycle object, with the log position that caused it. */
export type StateStep<S extends string> = { state: S; seq: number; time_ms: number };

export type TaskRecord = {
  task_id: string;
  class: TaskClass;
  submitter: string;
  envelope_hash: string;
  policy_version: number;
  semantic_version: string;
  admitted_epoch: number;
  deadline_ms: number;
  max_fee: string;
  fee?: string;
  vault_ids: string[];
  state: TaskState;
  history: StateStep<TaskState>[];
  attempt: number;
  /** Set at admission when the envelope pins a resolution, then by the dispatch. */
  resolution_hash?: string;
  assignments?: { vault_id: string; node_id: string }[];
  receipt_hash?: string;
  executor_node?: string;
  usage?: { records_scanned: number; fuel: number; rounds: number };
  contributions?: Contribution[];
  verifier?: string;
  verification_hash?: string;
  settle_epoch?: number;
  /** Ids of the task's reward records (none until verification accepts it). */
  reward_ids: string[];
  reason_code?: string;
  /** For a task an agent submitted on a user's behalf: the user (who pays) and the credential's hash. */
  delegation?: { principal: string; credential_hash: string };
  /** Set when a succeeded receipt is recorded: the assigned verifier and whether it must re-execute. */
  verification_assignment?: VerificationAssignment;
  /** A query's release decision, or a DP Train task's budget charge (before its first round), per attempt. */
  release?: { attempt: number; outcome: 'granted' | 'refused'; code?: string; charged: number; epsilon_micro: number };
};

/** A subject's acceptance of a participant query, at its log position. */
export type Participation = { vault_id: string; subject: string; seq: number };

/** The per-subject privacy budget ledger and the release history the differencing check reads. */
export type PrivacyState = { ledger: BudgetLedger; releases: ReleaseHistoryEntry[] };

/** A registered actor: its roles and the key its API requests are signed with. */
export type ActorRecord = { roles: string[]; public_key: string; registered_seq: number };

/** An actor's funds: spendable balance and bonded stake (escrow is derived from its open tasks). */
export type AccountRecord = {
  balance: string;
  stake: string;
  /** Stake being unbonded: no longer counted, released to the balance from `release_at_ms` (absent until the first request). */
  unbonding?: { amount: string; requested_seq: number; release_at_ms: number }[];
};

/** A Vault grant in force (or revoked at `revoked_seq`). */
export type GrantRecord = VaultGrant & { issued_seq: number; revoked_seq?: number };

export type ChallengeRecord = {
  challenge: Challenge;
  state: ChallengeState;
  history: StateStep<ChallengeState>[];
  /** The epoch whose settlement this challenge concerns (none for a verifier's dispute before acceptance). */
  epoch_id?: number;
  /** The task state to return to when the challenge ends without penalty. */
  task_state_before?: TaskState;
  decision_hash?: string;
  approver?: string;
  evidence_hashes: string[];
  opened_in_finalized_context: boolean;
  /** The bond taken from the challenger's balance at opening (absent when none moved). */
  bond_held?: string;
  /** The node (executor or master) a confirmed decision holds responsible. */
  accused?: string;
};

/** One movement of stake or balance caused by verification or a challenge (append-only). */
export type StakeMovement = {
  seq: number;
  /** The challenge id, or the task id for a slash on a verifier's rejection. */
  ref: string;
  account: string;
  kind: 'slash' | 'challenger_reward' | 'treasury_share' | 'bond_held' | 'bond_returned' | 'bond_forfeited';
  field: 'stake' | 'balance';
  /** Signed amount added to the field. */
  delta: string;
};

export type SignatureRecord = { master_id: string; signature: string; statement_hash: string; seq: number };

export type SettlementRecord = {
  epoch_id: number;
  state: SettlementState;
  history: StateStep<SettlementState>[];
  attempt: number;
  policy_version: number;
  candidate?: SettlementCandidate;
  /** The candidate's entries in leaf order (sorted by task_id). */
  entries: SettlementEntry[];
  candidate_ready_at_ms?: number;
  signatures: SignatureRecord[];
  certificate?: QuorumCertificate;
  failure_reason?: string;
  /** Reward records of the candidate's emission (absent when the policy emits nothing). */
  emission_reward_ids?: string[];
};

export type EpochRecord = {
  epoch_id: number;
  opened_at_seq: number;
  opened_at_ms: number;
  closed_at_seq?: number;
  closed_at_ms?: number;
  trigger?: 'manual' | 'schedule';
};

export type Equivocation = {
  master_id: string;
  epoch_id: number;
  attempt: number;
  statement_hashes: [string, string];
  seqs: [number, number];
};

/** One change of a consent, at its log position. */
export type ConsentChange = { seq: number; time_ms: number; action: 'granted' | 'revoked'; expires_at_ms?: number };

/** The history of one (vault, subject, scope) consent. */
export type ConsentRecord = {
  vault_id: string;
  subject: string;
  scope: UsageScope;
  revision: number;
  changes: ConsentChange[];
};

/** A candidate attribute proposed in one epoch window, with the distinct Vaults that proposed it. */
export type CandidateRecord = {
  epoch_id: number;
  domain: string;
  attribute: AttributeDefinition;
  vaults: string[];
  promoted_to?: string;
};

export type ProtocolState = {
  /** Hash and position of the last applied entry (null before genesis). */
  head: { seq: number; hash: string } | null;
  last_time_ms: number;
  network_id: string;
  masters: Record<string, { public_key: string; operator: string }>;
  treasury_account: string;
  current_epoch: number;
  epochs: Record<string, EpochRecord>;
  /** Every published parameter set, in publication order. */
  parameter_history: ParameterSet[];
  /** Semantic registry: `domain@version` -> definition. */
  semantic_domains: Record<string, SemanticDomain>;
  enterprise_nodes: Record<
    string,
    {
      public_key: string;
      operator: string;
      registered_seq: number;
      /** The enclaves the node registered (absent for a node registered without any). */
      enclaves?: EnclaveRegistration[];
    }
  >;
  vaults: Record<
    string,
    {
      node_id: string;
      operator: string;
      /** The last published snapshot root (absent until the first `vault_snapshot_published`). */
      last_snapshot?: { epoch_id: number; record_count: number; commitments_root: string; seq: number };
    }
  >;
  tasks: Record<string, TaskRecord>;
  challenges: Record<string, ChallengeRecord>;
  settlements: Record<string, SettlementRecord>;
  rewards: Record<string, RewardRecord>;
  payouts: Record<string, PayoutIntent>;
  /** Payout batches by id, derived at finality (absent until the first finalized epoch with payouts). */
  payout_batches?: Record<string, PayoutBatch>;
  equivocations: Equivocation[];
  /** Consents by `consentKey(vault, subject, scope)`; absent until the first consent event. */
  consents?: Record<string, ConsentRecord>;
  /** Privacy budgets and recent query releases; absent until the first query release. */
  privacy?: PrivacyState;
  /** Acceptances of participant queries by task, in log order; absent until the first. */
  participation?: Record<string, Participation[]>;
  /** Each Vault's declared mappings in log order (the one in force at a position is the last before it). */
  vault_mappings?: Record<string, { seq: number; mapping: VaultMapping }[]>;
  /** Candidate attributes by `candidateKey(epoch, domain, definition)`; absent until the first proposal. */
  semantic_candidates?: Record<string, CandidateRecord>;
  /** Registered actors by id. */
  actors: Record<string, ActorRecord>;
  /** Funds by actor id. */
  accounts: Record<string, AccountRecord>;
  /** Vault grants by grant id. */
  grants: Record<string, GrantRecord>;
  /**
   * Sandbox programs approved per Vault by protocol event: vault -> code hash -> the approval's seq
   * and, once withdrawn, the revocation's seq. Absent until the first `program_approved`.
   */
  program_approvals?: Record<string, Record<string, { approved_seq: number; revoked_seq?: number }>>;
  /** Revoked delegation credentials: credential hash -> seq of the revocation. */
  revoked_delegations: Record<string, number>;
  /** Train rounds (child sub-tasks of Train tasks) by round sub-task id; absent until the first round. */
  train_rounds?: Record<string, TrainRoundRecord>;
  /** Slashes, challenger rewards and bond moves, in log order; absent until the first. */
  stake_ledger?: StakeMovement[];
  /** Entries that were well-formed and chained but not applicable (e.g. a late duplicate): counted, never silently dropped. */
  ignored: { count: number; last?: { seq: number; code: string } };
};

/** One round of a Train task: the model it started from, who took part, and how it ended. */
export type TrainRoundRecord = {
  task_id: string;
  round: number;
  attempt: number;
  state: 'running' | 'completed' | 'aborted';
  started_seq: number;
  ended_seq?: number;
  aggregator_node: string;
  start_model_hash: string;
  standardization_hash: string;
  participants: string[];
  quorum: number;
  /** The next global model's hash (completed rounds). */
  model_hash?: string;
  received?: { vault_id: string; model_hash: string; signature: string }[];
  updates?: { vault_id: string; commitment: string; weight: number }[];
  dropped?: string[];
  evaluation?:
    | { metric: 'accuracy'; value: string; examples: number; subjects: number }
    | { metric: 'accuracy'; suppressed: true };
  reason_code?: string;
  vault_id?: string;
};

/** The state before genesis. */
export function emptyState(): ProtocolState {
  return {
    head: null,
    last_time_ms: 0,
    network_id: '',
    masters: {},
    treasury_account: '',
    current_epoch: 0,
    epochs: {},
    parameter_history: [],
    semantic_domains: {},
    enterprise_nodes: {},
    vaults: {},
    tasks: {},
    challenges: {},
    settlements: {},
    rewards: {},
    payouts: {},
    equivocations: [],
    actors: {},
    accounts: {},
    grants: {},
    revoked_delegations: {},
    ignored: { count: 0 },
  };
}
