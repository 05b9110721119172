/**
 * How an epoch's settlement moves: the candidate is built deterministically by every master from
 * the folded state once the epoch is closed and no challenge is open against it; a challenge
 * withdraws it; a quorum of matching master signatures finalizes it.
 */

import { statementHash } from '../crypto/signing-digests.ts';
import { epochEmission } from '../economics/emission.ts';
import { distributeEmission } from '../economics/epoch-accounting.ts';
import { splitFee } from '../economics/reward-split.ts';
import { parseAmount, toAmount } from '../encoding/amount.ts';
import { domainHash } from '../hashing/domain-hash.ts';
import { SCHEMA_VERSION } from '../objects/common.ts';
import { DomainTags } from '../objects/domain-tags.ts';
import type { PayoutIntent, RewardRecord } from '../objects/reward-record.ts';
import type { SettlementEntry, SettlementStatement } from '../objects/settlement.ts';
import { policyInForce } from '../params/resolve-parameters.ts';
import { buildPayoutBatches } from '../payout/payout-batches.ts';
import { orderEntries, rewardsRootHex, settlementRootHex } from '../settlement/settlement-tree.ts';
import { checkSettlementMove, moveReward, moveSettlement, moveTask } from './moves.ts';
import { calculateRewards, rewardId, rewardsOfTask } from './reward-records.ts';
import { blockUnderstaked, compliantContributions, STAKE_NON_COMPLIANCE } from './stake-compliance.ts';
import type { ProtocolState, SettlementRecord, TaskRecord } from './state.ts';
import type { LogPosition } from './step.ts';

const OPEN_CHALLENGE_STATES = new Set(['opened', 'reviewing', 'confirmed', 'not_confirmed', 'approved', 'reopened']);

/** A fresh settlement record for a newly opened epoch. */
export function openSettlement(state: ProtocolState, epoch_id: number, at: LogPosition): void {
  const policy = policyInForce(state, epoch_id);
  state.settlements[epoch_id] = {
    epoch_id,
    state: 'collecting',
    history: [{ state: 'collecting', seq: at.seq, time_ms: at.time_ms }],
    attempt: 0,
    policy_version: policy?.policy_version ?? 1,
    entries: [],
    signatures: [],
  };
}

/** Whether any challenge that blocks this epoch's settlement is still open. */
export function hasOpenChallenge(state: ProtocolState, epoch_id: number): boolean {
  return Object.values(state.challenges).some(
    (c) => c.epoch_id === epoch_id && !c.opened_in_finalized_context && OPEN_CHALLENGE_STATES.has(c.state),
  );
}

/** Tasks that settle in an epoch: verified (awaiting settlement) with that settle epoch. */
function settlingTasks(state: ProtocolState, epoch_id: number): TaskRecord[] {
  return Object.values(state.tasks).filter((t) => t.settle_epoch === epoch_id && t.state === 'awaiting_settlement');
}

function entryOf(t: TaskRecord, epoch_id: number): SettlementEntry {
  return {
    schema_version: SCHEMA_VERSION,
    epoch_id,
    task_id: t.task_id,
    class: t.class,
    policy_version: t.policy_version,
    envelope_hash: t.envelope_hash,
    receipt_hash: t.receipt_hash ?? '',
    verification_hash: t.verification_hash ?? '',
    max_fee: t.max_fee,
    fee: t.fee ?? '0',
    refund: toAmount(parseAmount(t.max_fee) - parseAmount(t.fee ?? '0')),
    contributions: t.contributions ?? [],
  };
}

/**
 * Builds the candidate if the settlement waits in `verifying_inputs` with nothing open against it:
 * entries in leaf order, rewards calculated by the fee split, the statement masters will sign.
 */
export function tryBuildCandidate(state: ProtocolState, epoch_id: number, at: LogPosition): void {
  const s = state.settlements[epoch_id];
  if (s?.state !== 'verifying_inputs' || hasOpenChallenge(state, epoch_id)) return;
  if (checkSettlementMove(s, 'candidate_ready')) return;
  const policy = policyInForce(state, epoch_id);
  if (!policy) return;

  const tasks = settlingTasks(state, epoch_id);
  const entries = orderEntries(tasks.map((t) => entryOf(t, epoch_id)));
  const calculated = [];
  let totalFees = 0n;
  let totalRefunds = 0n;
  const policies = new Map<number, (typeof state.parameter_history)[number]>();
  for (const p of state.parameter_history) if (!policies.has(p.policy_version)) policies.set(p.policy_version, p);
  for (const e of entries) {
    const taskPolicy = policies.get(e.policy_version) ?? policy;
    const lines = splitFee(parseAmount(e.fee), taskPolicy.reward_split_bps, e.contributions, state.treasury_account);
    const paid = blockUnderstaked(state, taskPolicy, epoch_id, e.task_id, lines, at);
    for (const r of calculateRewards(state, epoch_id, e.task_id, paid, at)) calculated.push(r);
    totalFees += parseAmount(e.fee);
    totalRefunds += parseAmount(e.refund);
  }
  const emitted = calculateEmission(state, s, entries, at);
  for (const r of emitted) calculated.push(r);
  s.attempt += 1;
  s.policy_version = policy.policy_version;
  const statement: SettlementStatement = {
    network_id: state.network_id,
    epoch_id,
    attempt: s.attempt,
    settlement_root: settlementRootHex(entries),
    entry_count: entries.length,
    rewards_root: rewardsRootHex(calculated),
    reward_count: calculated.length,
  };
  s.entries = entries;
  s.signatures = [];
  s.candidate = {
    schema_version: SCHEMA_VERSION,
    statement,
    total_fees: toAmount(totalFees),
    total_refunds: toAmount(totalRefunds),
    ...(emitted.length > 0
      ? { total_emission: toAmount(emitted.reduce((t, r) => t + parseAmount(r.amount!), 0n)) }
      : {}),
    built_at_seq: at.seq,
  };
  s.candidate_ready_at_ms = at.time_ms;
  moveSettlement(s, 'candidate_ready', at);
}

/**
 * The epoch's emission (policy in force at the epoch, window by log time from genesis) distributed
 * over the candidate's entries: one `calculated` record per line, `source: 'emission'`. The records
 * belong to the candidate: a withdrawn candidate drops them and a rebuilt one derives them again.
 */
function calculateEmission(
  state: ProtocolState,
  s: SettlementRecord,
  entries: readonly SettlementEntry[],
  at: LogPosition,
): RewardRecord[] {
  const policy = policyInForce(state, s.epoch_id);
  const window = state.epochs[s.epoch_id];
  const genesisMs = state.epochs[1]?.opened_at_ms;
  if (!policy?.economics || window?.closed_at_ms === undefined || genesisMs === undefined) return [];
  const emission = epochEmission(policy.economics, genesisMs, window.opened_at_ms, window.closed_at_ms);
  const lines = distributeEmission(
    emission,
    entries.map((e) => ({ task_id: e.task_id, contributions: compliantContributions(state, policy, e.contributions) })),
    state.treasury_account,
  );
  const out: RewardRecord[] = [];
  s.emission_reward_ids = [];
  for (const l of lines) {
    const reward_id = rewardId(s.epoch_id, l.task_id, l.account, l.role, 'emission');
    const r: RewardRecord = {
      schema_version: SCHEMA_VERSION,
      reward_id,
      epoch_id: s.epoch_id,
      task_id: l.task_id,
      account: l.account,
      role: l.role,
      units: l.units,
      policy_version: policy.policy_version,
      state: 'pending_input',
      source: 'emission',
    };
    state.rewards[reward_id] = r;
    moveReward(r, 'eligible', at);
    moveReward(r, 'calculated', at);
    r.amount = toAmount(l.amount);
    s.emission_reward_ids.push(reward_id);
    out.push(r);
  }
  return out;
}

/** A challenge withdrew the candidate: back to verifying inputs, calculated rewards back to eligible. */
export function withdrawCandidate(state: ProtocolState, s: SettlementRecord, at: LogPosition): void {
  if (s.state !== 'candidate_ready' && s.state !== 'finalizing') return;
  moveSettlement(s, 'verifying_inputs', at);
  discardCandidate(state, s, at);
}

/** Drops the candidate, its signatures and its calculated amounts (records go back to eligible). */
export function discardCandidate(state: ProtocolState, s: SettlementRecord, at: LogPosition): void {
  for (const e of s.entries) {
    for (const r of rewardsOfTask(state, e.task_id)) {
      if (r.state === 'calculated') {
        moveReward(r, 'eligible', at);
        delete r.amount;
      } else if (r.state === 'blocked' && r.blocked_reason === STAKE_NON_COMPLIANCE) {
        moveReward(r, 'eligible', at);
        delete r.blocked_reason;
      }
    }
  }
  for (const id of s.emission_reward_ids ?? []) delete state.rewards[id];
  delete s.emission_reward_ids;
  s.entries = [];
  s.signatures = [];
  delete s.candidate;
  delete s.candidate_ready_at_ms;
  delete s.failure_reason;
}

/** The statement hash of the current candidate, if any. */
export function candidateStatementHash(s: SettlementRecord): string | undefined {
  return s.candidate ? statementHash(s.candidate.statement) : undefined;
}

/**
 * Charges the paying actor the task's fee; the rest of its escrowed maximum is released by the task
 * becoming terminal (escrow is derived from open tasks). Actors without an account pay nothing.
 */
function chargeFee(state: ProtocolState, task: TaskRecord, fee: string): void {
  const account = state.accounts[task.delegation?.principal ?? task.submitter];
  if (!account) return;
  const left = parseAmount(account.balance) - parseAmount(fee);
  account.balance = toAmount(left > 0n ? left : 0n);
}

/** Quorum reached: certificate, tasks completed, rewards finalized, payout intents derived. */
export function finalizeSettlement(state: ProtocolState, s: SettlementRecord, at: LogPosition): void {
  const candidate = s.candidate!;
  const hash = statementHash(candidate.statement);
  const matching = s.signatures.filter((g) => g.statement_hash === hash);
  moveSettlement(s, 'finalized', at);
  s.certificate = {
    schema_version: SCHEMA_VERSION,
    statement: candidate.statement,
    signatures: matching
      .map((g) => ({ master_id: g.master_id, signature: g.signature }))
      .sort((a, b) => (a.master_id < b.master_id ? -1 : 1)),
    finalized_at_seq: at.seq,
  };
  const perAccount = new Map<string, { amount: bigint; ids: string[] }>();
  for (const e of s.entries) {
    const task = state.tasks[e.task_id]!;
    moveTask(task, 'completed', at);
    chargeFee(state, task, e.fee);
    for (const r of rewardsOfTask(state, e.task_id)) {
      if (r.state !== 'calculated') continue;
      moveReward(r, 'finalized', at);
      const acc = perAccount.get(r.account) ?? { amount: 0n, ids: [] };
      acc.amount += parseAmount(r.amount ?? '0');
      acc.ids.push(r.reward_id);
      perAccount.set(r.account, acc);
    }
  }
  for (const id of s.emission_reward_ids ?? []) {
    const r = state.rewards[id]!;
    moveReward(r, 'finalized', at);
    const acc = perAccount.get(r.account) ?? { amount: 0n, ids: [] };
    acc.amount += parseAmount(r.amount ?? '0');
    acc.ids.push(r.reward_id);
    perAccount.set(r.account, acc);
  }
  const intents: PayoutIntent[] = [];
  for (const [account, { amount, ids }] of [...perAccount].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const intentKey = domainHash(DomainTags.payoutIntent, { epoch_id: s.epoch_id, account });
    const intent_id = `pay_${intentKey.slice(0, 32)}`;
    const intent: PayoutIntent = {
      schema_version: SCHEMA_VERSION,
      intent_id,
      epoch_id: s.epoch_id,
      account,
      amount: toAmount(amount),
      reward_ids_hash: domainHash(DomainTags.rewardLedger, ids.sort()),
      reward_count: ids.length,
      state: 'pending',
    };
    state.payouts[intent_id] = intent;
    intents.push(intent);
  }
  for (const { batch, claims } of buildPayoutBatches(s.epoch_id, intents)) {
    state.payout_batches ??= {};
    state.payout_batches[batch.batch_id] = batch;
    for (const c of claims) state.payouts[c.intent_id]!.batch_id = batch.batch_id;
  }
}
